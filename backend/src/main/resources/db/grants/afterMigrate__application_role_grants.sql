-- The application role's privileges: exactly what the server's SQL needs (grep the stores for
-- preparedQuery), nothing more. Flyway runs this callback as the owner after every migration run,
-- so it also covers the tables that later migrations add: a new table gets its line here, in the
-- same change as its migration (DatabaseRolesTest fails for a table the server cannot reach).
-- ${application_role} is the server's role (db.user, or kanava_app in the embedded database).
--
-- Never granted: UPDATE or DELETE on audit_event and message (append-only for the server), TRUNCATE,
-- REFERENCES or TRIGGER on anything, and ownership (so no ALTER TABLE ... DISABLE TRIGGER).

-- nodes that start together take turns; everything below is one transaction
select pg_advisory_xact_lock(hashtext('kanava.application-role-grants'));

revoke all on all tables in schema public from ${application_role};
revoke all on all sequences in schema public from ${application_role};
grant usage on schema public to ${application_role};

grant select, insert on organisation to ${application_role};
-- creating an account locks its organisation's row (select ... for update) to hold the seat limit:
-- a row lock needs UPDATE on one column; the server never changes it
grant update (seat_limit) on organisation to ${application_role};
grant select, insert on unit to ${application_role};
grant select, insert, update on account to ${application_role};
grant select, insert, update, delete on login_throttle to ${application_role};
-- anonymous patients and their expired sessions are purged (Patients.purgeStale, Sessions.purgeExpiredPatientTokens)
grant select, insert, update, delete on patient to ${application_role};
grant select, insert, update, delete on refresh_token to ${application_role};
-- keys are sealed in place (a plaintext key from before V5) and retired keys deleted (SigningKeys)
grant select, insert, update, delete on signing_key to ${application_role};
-- logout, reuse and disabling write a revocation; expired ones are purged (Revocations)
grant select, insert, delete on token_revocation to ${application_role};
grant select, insert on audit_event to ${application_role};

grant select, insert, update on queue to ${application_role};
grant select, insert, delete on queue_member to ${application_role};
grant select, insert, update on professional_presence to ${application_role};
grant select, insert, update, delete on professional_device to ${application_role};
grant select, insert, update on conversation to ${application_role};
grant select, insert, update on conversation_participant to ${application_role};
grant select, insert, update on conversation_read to ${application_role};
grant select, insert on message to ${application_role};
-- transfers are resolved (accepted, declined, lapsed) and their consent answered in place (TransferStore)
grant select, insert, update on conversation_transfer to ${application_role};
-- feedback is written once and never changed (FeedbackStore)
grant select, insert on feedback_response to ${application_role};
-- photos are stored once and never changed; a message links to one (AttachmentStore)
grant select, insert on attachment to ${application_role};
-- partner referrals (fi.kanava.referral): seats are assigned and released; a referral's outcome changes
-- in place; visit notes are written once
grant select, insert, delete on partner_seat to ${application_role};
grant select, insert, update on referral to ${application_role};
grant select, insert on referral_note to ${application_role};
-- professional feedback is written once and never changed; the prompt row of each account is updated (ProfessionalFeedback)
grant select, insert on professional_feedback to ${application_role};
grant select, insert, update on professional_feedback_prompt to ${application_role};
-- consultations are accepted, joined, flagged and closed in place (ConsultStore); never deleted
grant select, insert, update on consultation to ${application_role};
-- visits are rescheduled, admitted and ended in place (VisitStore); codes are used once; members leave
grant select, insert, update on visit to ${application_role};
grant select, insert, update on visit_member to ${application_role};
grant select, insert, update on visit_code to ${application_role};
-- calls move through their states in place (CallStore); checks are finished in place (NetworkCheckStore)
grant select, insert, update on call to ${application_role};
grant select, insert, update on call_member to ${application_role};
grant select, insert, update on network_check to ${application_role};
-- nodes renew their lease and delete the rows of nodes whose lease ran out (NodeLease)
grant select, insert, update, delete on presence_node to ${application_role};
