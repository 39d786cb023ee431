-- Each message gets its own id, chosen by the server when it stores the message. A sequence number
-- says where a message stands in its conversation; the id says which message it is. Should a
-- database crash ever lose acknowledged commits and a number be given out again, the ids tell the
-- two messages apart, so a socket or a page that already holds the number resynchronises instead
-- of dropping the new message as already delivered (docs/protocol.md, "Sequence numbers, resync
-- and retries").
alter table message add column id uuid;
update message set id = gen_random_uuid() where id is null;
alter table message alter column id set not null;
