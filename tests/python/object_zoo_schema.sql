-- One of each kind of object a schema dump can hold, linked the ways that make
-- dropping them in the wrong order fail: foreign keys in a cycle, defaults
-- using sequences and functions, views on views, a base type and its I/O
-- functions, an operator class on an operator, rules and policies naming
-- other tables, partitions, inheritance. Built by the tests (as a superuser)
-- and dumped with a real pg_dump; `pgsplit squash` must downgrade all of it.
CREATE SCHEMA zoo;
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA zoo;

CREATE TYPE zoo.mood AS ENUM ('calm', 'wild');
CREATE TYPE zoo.pair AS (a integer, b text);
CREATE TYPE zoo.floatrange AS RANGE (subtype = float8);
CREATE DOMAIN zoo.positive AS integer CHECK (VALUE > 0);

-- A base type: a shell, its I/O functions, then the type.
CREATE TYPE zoo.tag;
CREATE FUNCTION zoo.tag_in(cstring) RETURNS zoo.tag LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION zoo.tag_out(zoo.tag) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
CREATE TYPE zoo.tag (INPUT = zoo.tag_in, OUTPUT = zoo.tag_out, LIKE = integer);

CREATE FUNCTION zoo.next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' || floor(random() * 1000)::text $$;
CREATE FUNCTION zoo.add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a + b;
CREATE FUNCTION zoo.same(a integer, b integer) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN a = b;
CREATE OPERATOR zoo.=== (FUNCTION = zoo.same, LEFTARG = integer, RIGHTARG = integer);
CREATE OPERATOR FAMILY zoo.fam USING btree;
CREATE OPERATOR CLASS zoo.int_ops FOR TYPE integer USING btree FAMILY zoo.fam AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 btint4cmp(integer, integer);
CREATE AGGREGATE zoo.total(integer) (SFUNC = zoo.add, STYPE = integer, INITCOND = '0');
CREATE PROCEDURE zoo.noop(IN x integer) LANGUAGE sql BEGIN ATOMIC SELECT x; END;
CREATE CAST (zoo.pair AS text) WITH INOUT;
CREATE COLLATION zoo.c_collation (locale = 'C');
CREATE TEXT SEARCH DICTIONARY zoo.simple_dict (TEMPLATE = pg_catalog.simple);
CREATE TEXT SEARCH CONFIGURATION zoo.simple_config (COPY = pg_catalog.simple);
CREATE CONVERSION zoo.latin_to_utf8 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;

CREATE SEQUENCE zoo.codes START 100;
CREATE TABLE zoo.parent (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text DEFAULT zoo.next_code(),
    number integer DEFAULT nextval('zoo.codes'),
    child_id integer,
    mood zoo.mood,
    score zoo.positive,
    tag zoo.tag,
    embedding zoo.vector(3),
    doubled integer GENERATED ALWAYS AS (number * 2) STORED
);
CREATE TABLE zoo.child (id serial PRIMARY KEY, parent_id integer REFERENCES zoo.parent (id));
ALTER TABLE zoo.parent ADD FOREIGN KEY (child_id) REFERENCES zoo.child (id);
CREATE TABLE zoo.grandchild (extra text) INHERITS (zoo.child);
CREATE TABLE zoo.events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE zoo.events_2026 PARTITION OF zoo.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at ON zoo.events (at);
CREATE INDEX parent_number ON zoo.parent (number zoo.int_ops);
CREATE STATISTICS zoo.parent_stats ON code, number FROM zoo.parent;

CREATE VIEW zoo.parent_view AS SELECT id, code FROM zoo.parent;
CREATE VIEW zoo.view_on_view AS SELECT id FROM zoo.parent_view WHERE id OPERATOR(zoo.===) 1;
CREATE MATERIALIZED VIEW zoo.totals AS SELECT zoo.total(number) AS total FROM zoo.parent;
CREATE UNIQUE INDEX totals_total ON zoo.totals (total);

CREATE FUNCTION zoo.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.code := 'touched'; RETURN NEW; END $$;
CREATE TRIGGER parent_touch BEFORE UPDATE ON zoo.parent FOR EACH ROW EXECUTE FUNCTION zoo.touch();
CREATE RULE child_no_delete AS ON DELETE TO zoo.child WHERE old.id IN (SELECT child_id FROM zoo.parent) DO INSTEAD NOTHING;
ALTER TABLE zoo.child ENABLE ROW LEVEL SECURITY;
CREATE POLICY child_visible ON zoo.child USING (EXISTS (SELECT FROM zoo.parent p WHERE p.child_id = child.id));
COMMENT ON TABLE zoo.parent IS 'has; everything';

CREATE FUNCTION zoo.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER zoo_ddl ON ddl_command_end EXECUTE FUNCTION zoo.on_ddl();

CREATE FOREIGN DATA WRAPPER zoo_wrapper;
CREATE SERVER zoo_server FOREIGN DATA WRAPPER zoo_wrapper;
CREATE FOREIGN TABLE zoo.remote (a integer) SERVER zoo_server;
CREATE PUBLICATION zoo_publication FOR TABLE zoo.parent;
