-- Per-role sign-in policy, set by admins: with require_2fa, users of the role must enrol a second
-- factor at their next sign-in before they see anything else. A role without a row requires nothing.
CREATE TABLE console.role_policies (
  role        text    PRIMARY KEY CHECK (role IN ('admin', 'auditor', 'viewer')),
  require_2fa boolean NOT NULL DEFAULT false
);
