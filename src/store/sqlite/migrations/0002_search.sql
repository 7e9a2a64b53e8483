-- Migration 2: full-text search over tickets and customers, filled from the rows there.
-- Frozen: files in the field were made with exactly this text. Never edit it;
-- change the schema with a new migration (schema.rs checks the text has not changed).

CREATE VIRTUAL TABLE ticket_search USING fts5(
    subject, customer,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER ticket_search_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_search(rowid, subject, customer)
    VALUES (new.id, new.subject,
            (SELECT name || ' ' || email || ' ' || company FROM customers WHERE id = new.customer_id));
END;
CREATE TRIGGER ticket_search_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_search WHERE rowid = old.id;
END;
CREATE TRIGGER ticket_search_update AFTER UPDATE OF subject, customer_id ON tickets BEGIN
    DELETE FROM ticket_search WHERE rowid = old.id;
    INSERT INTO ticket_search(rowid, subject, customer)
    VALUES (new.id, new.subject,
            (SELECT name || ' ' || email || ' ' || company FROM customers WHERE id = new.customer_id));
END;
CREATE TRIGGER ticket_search_customer AFTER UPDATE OF name, email, company ON customers BEGIN
    DELETE FROM ticket_search WHERE rowid IN (SELECT id FROM tickets WHERE customer_id = new.id);
    INSERT INTO ticket_search(rowid, subject, customer)
    SELECT id, subject, new.name || ' ' || new.email || ' ' || new.company
    FROM tickets WHERE customer_id = new.id;
END;

CREATE VIRTUAL TABLE customer_search USING fts5(
    name, email, company,
    content = 'customers', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search(rowid, name, email, company)
    VALUES (new.id, new.name, new.email, new.company);
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customer_search(customer_search, rowid, name, email, company)
    VALUES ('delete', old.id, old.name, old.email, old.company);
END;
CREATE TRIGGER customer_search_update AFTER UPDATE OF name, email, company ON customers BEGIN
    INSERT INTO customer_search(customer_search, rowid, name, email, company)
    VALUES ('delete', old.id, old.name, old.email, old.company);
    INSERT INTO customer_search(rowid, name, email, company)
    VALUES (new.id, new.name, new.email, new.company);
END;

-- Fill both search indexes from the rows already there.
DELETE FROM ticket_search;
INSERT INTO ticket_search(rowid, subject, customer)
SELECT t.id, t.subject, c.name || ' ' || c.email || ' ' || c.company
FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id;
INSERT INTO customer_search(customer_search) VALUES ('rebuild');
