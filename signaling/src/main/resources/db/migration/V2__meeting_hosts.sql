-- Invitees marked as hosts (co-hosts): they join as hosts, as the owner does. Portable SQL (H2, PostgreSQL).
ALTER TABLE meeting_members ADD COLUMN host BOOLEAN DEFAULT FALSE NOT NULL;
