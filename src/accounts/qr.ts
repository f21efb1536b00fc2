// The enrolment QR code as inline SVG, drawn on the server (no external service, no script). The
// encoding (Reed-Solomon, masking, version choice) is qrcode-generator's; this file only draws its
// module matrix as one path of unit squares (numbers only).
import qrcode from 'qrcode-generator';

/** The dark modules, row by row (true = dark). */
export function qrMatrix(text: string): boolean[][] {
  // Level M: the otpauth URI fits a small version and survives a smudged screen.
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const size = qr.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => qr.isDark(row, col)));
}

/** The matrix as one SVG path of unit squares inside a four-module quiet zone (views/qr.tsx draws it). */
export function qrPath(text: string): { size: number; path: string } {
  const matrix = qrMatrix(text);
  const quiet = 4;
  let path = '';
  matrix.forEach((cells, row) => cells.forEach((dark, col) => {
    if (dark) path += `M${col + quiet} ${row + quiet}h1v1h-1z`;
  }));
  return { size: matrix.length + 2 * quiet, path };
}
