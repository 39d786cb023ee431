-- Photos in messages (issue 11, item 6): uploaded to a conversation, checked and re-encoded by
-- content (metadata stripped, orientation applied), stored here with a thumbnail, and then sent in
-- at most one message. The server never changes a row: a message links to its attachment
-- (message.attachment_id, unique), so the message table stays append-only.
create table attachment (
  id                uuid primary key,
  conversation_id   uuid not null references conversation (id),
  -- the patient's or the professional's id (as message.sender_id) and which of the two
  uploaded_by       uuid not null,
  uploader_kind     text not null check (uploader_kind in ('patient', 'professional')),
  media_type        text not null check (media_type in ('image/jpeg', 'image/png')),
  width             integer not null check (width > 0),
  height            integer not null check (height > 0),
  byte_size         integer not null check (byte_size > 0),
  content           bytea not null,
  thumbnail_width   integer not null check (thumbnail_width > 0),
  thumbnail_height  integer not null check (thumbnail_height > 0),
  thumbnail_size    integer not null check (thumbnail_size > 0),
  thumbnail         bytea not null,
  created_at        timestamptz not null
);
create index attachment_conversation_idx on attachment (conversation_id);

alter table message add column attachment_id uuid unique references attachment (id);
