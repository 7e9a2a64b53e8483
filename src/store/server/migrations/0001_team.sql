-- Team migration 1: the team's tables, in their own schema `tickets`.
-- Frozen: servers in the field were set up with exactly this text. Never
-- edit it; change the schema with a new migration (schema.rs checks it).
--
-- Times are milliseconds since 1970 (UTC), as in the desk's file, so both
-- engines hand the same numbers to analytics. The roles named in the
-- privileges are made per database by `tickets server init`
-- ({db}_agents, {db}_admins), and this text is run with those names in
-- place of :agents and :admins.

CREATE TABLE tickets.agents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    sort_key    text NOT NULL,
    email       text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    created_at  bigint NOT NULL,
    -- The PostgreSQL login this agent signs in with: who they are, to the server.
    login       text UNIQUE,
    admin       boolean NOT NULL DEFAULT false
);
CREATE INDEX agents_sort ON tickets.agents (sort_key);

CREATE TABLE tickets.customers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    sort_key    text NOT NULL,
    email       text NOT NULL DEFAULT '',
    company     text NOT NULL DEFAULT '',
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);
CREATE INDEX customers_sort ON tickets.customers (sort_key);
CREATE INDEX customers_email ON tickets.customers (lower(email) text_pattern_ops);

CREATE TABLE tickets.tags (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tickets.tags (lower(name));

CREATE TABLE tickets.customer_tags (
    customer_id bigint NOT NULL REFERENCES tickets.customers (id),
    tag_id      bigint NOT NULL REFERENCES tickets.tags (id),
    PRIMARY KEY (customer_id, tag_id)
);
CREATE INDEX customer_tags_tag ON tickets.customer_tags (tag_id, customer_id);

-- A ticket number is never reused (an identity never goes back), and
-- created_at never decreases as numbers grow, so number order is creation order.
CREATE TABLE tickets.tickets (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject         text NOT NULL,
    description     text NOT NULL DEFAULT '',
    status          smallint NOT NULL CHECK (status BETWEEN 0 AND 4),
    priority        smallint NOT NULL CHECK (priority BETWEEN 0 AND 3),
    customer_id     bigint REFERENCES tickets.customers (id),
    created_at      bigint NOT NULL,
    updated_at      bigint NOT NULL,
    version         bigint NOT NULL DEFAULT 1,
    first_reply_at  bigint,
    first_reply_by  bigint REFERENCES tickets.agents (id),
    resolved_at     bigint,
    resolved_by     bigint REFERENCES tickets.agents (id),
    closed_at       bigint,
    csat            smallint CHECK (csat BETWEEN 1 AND 5),
    csat_at         bigint,
    customer_key    text,
    assignee_key    text
);
CREATE INDEX tickets_created ON tickets.tickets (created_at);
CREATE INDEX tickets_status_priority ON tickets.tickets (status, priority, id);
CREATE INDEX tickets_priority ON tickets.tickets (priority, id);
CREATE INDEX tickets_customer ON tickets.tickets (customer_id, id);
CREATE INDEX tickets_subject ON tickets.tickets (lower(subject), id);
CREATE INDEX tickets_customer_key ON tickets.tickets (customer_key, id);
CREATE INDEX tickets_assignee_key ON tickets.tickets (assignee_key, id);
CREATE INDEX tickets_resolved ON tickets.tickets (resolved_at, created_at, resolved_by) WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_first_reply ON tickets.tickets (first_reply_at, created_at, first_reply_by) WHERE first_reply_at IS NOT NULL;
CREATE INDEX tickets_closed ON tickets.tickets (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX tickets_csat ON tickets.tickets (csat_at, csat, resolved_by) WHERE csat_at IS NOT NULL;

CREATE TABLE tickets.ticket_assignees (
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets (id),
    agent_id    bigint NOT NULL REFERENCES tickets.agents (id),
    assigned_at bigint NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);
CREATE INDEX ticket_assignees_agent ON tickets.ticket_assignees (agent_id, ticket_id);

CREATE TABLE tickets.ticket_tags (
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets (id),
    tag_id      bigint NOT NULL REFERENCES tickets.tags (id),
    PRIMARY KEY (ticket_id, tag_id)
);
CREATE INDEX ticket_tags_tag ON tickets.ticket_tags (tag_id, ticket_id);

CREATE TABLE tickets.messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets (id),
    direction   smallint NOT NULL CHECK (direction IN (0, 1)),
    author_id   bigint REFERENCES tickets.agents (id),
    body        text NOT NULL,
    created_at  bigint NOT NULL
);
CREATE INDEX messages_ticket ON tickets.messages (ticket_id, created_at);

CREATE TABLE tickets.notes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets (id),
    author_id   bigint REFERENCES tickets.agents (id),
    body        text NOT NULL,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL,
    version     bigint NOT NULL DEFAULT 1
);
CREATE INDEX notes_ticket ON tickets.notes (ticket_id, created_at);

-- The audit trail. Values keep their type (a status code stays a number).
CREATE TABLE tickets.activity (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets (id),
    at          bigint NOT NULL,
    agent_id    bigint REFERENCES tickets.agents (id),
    kind        text NOT NULL,
    ref_id      bigint,
    old_value   jsonb,
    new_value   jsonb
);
CREATE INDEX activity_ticket ON tickets.activity (ticket_id, at);
CREATE INDEX activity_at ON tickets.activity (at, agent_id);
CREATE INDEX activity_status_changes ON tickets.activity (at, ticket_id) WHERE kind = 'status';
CREATE INDEX activity_priority_changes ON tickets.activity (at, ticket_id) WHERE kind = 'priority';
CREATE INDEX activity_customer_moves ON tickets.activity (ticket_id) WHERE kind = 'customer';

-- Which tickets each agent touched, first and last (the Agents table of the
-- report reads it), kept by the trail's own inserts.
CREATE TABLE tickets.agent_tickets (
    agent_id    bigint NOT NULL REFERENCES tickets.agents (id),
    ticket_id   bigint NOT NULL REFERENCES tickets.tickets (id),
    first_at    bigint NOT NULL,
    last_at     bigint NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
);
CREATE INDEX agent_tickets_last ON tickets.agent_tickets (agent_id, last_at);
CREATE INDEX agent_tickets_first ON tickets.agent_tickets (agent_id, first_at);
CREATE FUNCTION tickets.agent_tickets_track() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tickets.agent_tickets (agent_id, ticket_id, first_at, last_at)
    VALUES (NEW.agent_id, NEW.ticket_id, NEW.at, NEW.at)
    ON CONFLICT (agent_id, ticket_id) DO UPDATE
    SET first_at = least(tickets.agent_tickets.first_at, excluded.first_at),
        last_at = greatest(tickets.agent_tickets.last_at, excluded.last_at);
    RETURN NULL;
END $$;
CREATE TRIGGER agent_tickets_track AFTER INSERT ON tickets.activity
    FOR EACH ROW WHEN (NEW.agent_id IS NOT NULL) EXECUTE FUNCTION tickets.agent_tickets_track();

-- Append-only for everyone, the owner included.
CREATE FUNCTION tickets.activity_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the activity trail is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER activity_append_only_row BEFORE UPDATE OR DELETE ON tickets.activity
    FOR EACH ROW EXECUTE FUNCTION tickets.activity_is_append_only();
CREATE TRIGGER activity_append_only_truncate BEFORE TRUNCATE ON tickets.activity
    FOR EACH STATEMENT EXECUTE FUNCTION tickets.activity_is_append_only();

-- The agent the session's login is: who every change is recorded as.
CREATE FUNCTION tickets.current_agent() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT id FROM tickets.agents WHERE login = session_user AND active
$$;

-- Agents read everything; writing comes with the migrations that add the
-- write calls. Only admins manage agents (tickets.add_agent & co., below).
REVOKE ALL ON SCHEMA tickets FROM PUBLIC;
GRANT USAGE ON SCHEMA tickets TO :agents;
GRANT SELECT ON ALL TABLES IN SCHEMA tickets TO :agents;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tickets FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tickets.current_agent() TO :agents;

-- This database's roles, and its schema version.
CREATE TABLE tickets.team (
    agents_role text NOT NULL,
    admins_role text NOT NULL,
    version     integer NOT NULL
);
GRANT SELECT ON tickets.team TO :agents;

-- Agents are managed by admins only: each call checks the caller's login.
CREATE FUNCTION tickets.require_admin() RETURNS tickets.team
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team;
BEGIN
    SELECT * INTO t FROM tickets.team;
    IF NOT pg_has_role(session_user, t.admins_role, 'MEMBER') THEN
        RAISE EXCEPTION 'only an admin of this team can manage its agents (% is not one)', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN t;
END $$;

-- A login (made if it does not exist) that signs in as one of the team's
-- agents, and as an admin if `p_admin`. Called by the functions below only.
CREATE FUNCTION tickets.sign_in_as(t tickets.team, p_login text, p_password text,
                                   p_admin boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        IF p_password IS NULL THEN
            EXECUTE format('CREATE ROLE %I LOGIN', p_login);
        ELSE
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_login, p_password);
        END IF;
    END IF;
    EXECUTE format('GRANT %I TO %I', t.agents_role, p_login);
    IF p_admin THEN
        EXECUTE format('GRANT %I TO %I', t.admins_role, p_login);
    END IF;
END $$;

-- A new agent with their own login (made if it does not exist yet).
CREATE FUNCTION tickets.add_agent(p_name text, p_sort_key text, p_email text, p_login text,
                                  p_password text, p_admin boolean, p_at bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team := tickets.require_admin();
    new_id bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM tickets.agents WHERE login = p_login) THEN
        RAISE EXCEPTION 'the login % already belongs to an agent', p_login
            USING ERRCODE = 'unique_violation';
    END IF;
    PERFORM tickets.sign_in_as(t, p_login, p_password, p_admin);
    INSERT INTO tickets.agents (name, sort_key, email, created_at, login, admin)
        VALUES (p_name, p_sort_key, p_email, p_at, p_login, p_admin)
        RETURNING id INTO new_id;
    RETURN new_id;
END $$;

-- A login for an agent who has none yet (one moved in from a desk's file).
CREATE FUNCTION tickets.give_login(p_agent bigint, p_login text, p_password text,
                                   p_admin boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team := tickets.require_admin();
BEGIN
    IF EXISTS (SELECT 1 FROM tickets.agents WHERE login = p_login) THEN
        RAISE EXCEPTION 'the login % already belongs to an agent', p_login
            USING ERRCODE = 'unique_violation';
    END IF;
    UPDATE tickets.agents SET login = p_login, admin = p_admin
        WHERE id = p_agent AND login IS NULL AND active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'agent % is not an active agent without a login', p_agent
            USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM tickets.sign_in_as(t, p_login, p_password, p_admin);
END $$;

-- An agent who leaves: their login can no longer sign in; their history stays.
CREATE FUNCTION tickets.deactivate_agent(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team := tickets.require_admin();
BEGIN
    IF p_login = session_user THEN
        RAISE EXCEPTION 'an admin cannot deactivate their own login' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE tickets.agents SET active = false WHERE login = p_login;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no agent signs in as %', p_login USING ERRCODE = 'no_data_found';
    END IF;
    EXECUTE format('REVOKE %I FROM %I', t.agents_role, p_login);
    EXECUTE format('REVOKE %I FROM %I', t.admins_role, p_login);
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
END $$;

-- An agent who may manage the others.
CREATE FUNCTION tickets.make_admin(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t tickets.team := tickets.require_admin();
BEGIN
    UPDATE tickets.agents SET admin = true WHERE login = p_login AND active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no active agent signs in as %', p_login USING ERRCODE = 'no_data_found';
    END IF;
    EXECUTE format('GRANT %I TO %I', t.admins_role, p_login);
END $$;

REVOKE ALL ON FUNCTION tickets.sign_in_as(tickets.team, text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION tickets.require_admin(), tickets.add_agent(text, text, text, text, text, boolean, bigint),
    tickets.give_login(bigint, text, text, boolean), tickets.deactivate_agent(text),
    tickets.make_admin(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tickets.require_admin(), tickets.add_agent(text, text, text, text, text, boolean, bigint),
    tickets.give_login(bigint, text, text, boolean), tickets.deactivate_agent(text),
    tickets.make_admin(text) TO :agents;
