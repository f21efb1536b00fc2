-- Failed sign-ins, counted per key ('email:<lower email>' and 'ip:<address>'), for lockout: after
-- too many failures inside the window the key is locked until locked_until, whatever the password.
-- Unknown emails are counted too, so probing for accounts is throttled the same way.
CREATE TABLE console.sign_in_failures (
  key             text        PRIMARY KEY,
  failures        integer     NOT NULL DEFAULT 0,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz
);
