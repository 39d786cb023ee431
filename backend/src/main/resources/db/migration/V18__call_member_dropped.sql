-- Calls (fi.kanava.rtc, docs/protocol.md "Calls"): when a member's socket closed. The member stays in
-- the call for rtc.reconnect-grace; rejoining clears it, and the sweep lets a member whose grace ran
-- out leave. Kept in the database, not in a node's memory, so that any node's sweep sees it.
alter table call_member add column dropped_at timestamptz;
create index call_member_dropped_idx on call_member (dropped_at) where dropped_at is not null and left_at is null;
