-- Each running node holds a lease here, renewed with its presence heartbeat. A node whose lease ran
-- out died (or lost the database for that long): a surviving node deletes its devices, so their
-- statuses stop counting towards their professionals' (presence shows no ghosts), and the offline
-- grace runs from the professional's last heartbeat.
create table presence_node (
  id          uuid primary key,
  started_at  timestamptz not null,
  renewed_at  timestamptz not null
);

-- The node whose socket is the device (null: a row from before V23; the offline sweep ends it).
alter table professional_device add column node_id uuid;
create index professional_device_node on professional_device (node_id);
