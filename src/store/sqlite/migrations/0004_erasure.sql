-- Migration 4: customer moves in the trail by an index of their own.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

CREATE INDEX activity_customer_moves ON activity(ticket_id) WHERE kind = 'customer';
