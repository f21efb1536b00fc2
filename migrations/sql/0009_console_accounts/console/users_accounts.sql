-- Console users, what migration 0009 adds: an admin's reset makes the user choose a new password
-- at their next sign-in (must_change_password); a disabled user cannot sign in and has no
-- sessions, but stays listed so the trail's actor ids keep pointing at a name.
ALTER TABLE console.users
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
  ADD COLUMN password_changed_at  timestamptz,
  ADD COLUMN disabled_at          timestamptz;
