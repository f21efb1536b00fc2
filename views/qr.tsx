/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// A QR code as inline SVG (src/accounts/qr.ts makes the path; the label is escaped like any text).
import { qrPath } from '../src/accounts/qr.ts';

export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, path } = qrPath(text);
  return (
    <svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 ${size} ${size}`} shape-rendering="crispEdges" role="img" aria-label={label}>
      <rect width={size} height={size} fill="#fff" />
      <path fill="#000" d={path} />
    </svg>
  );
}
