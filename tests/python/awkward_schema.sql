-- A schema full of what trips SQL splitters, built by the tests and dumped
-- with a real pg_dump. Everything here loads cleanly into PostgreSQL 16+.
CREATE SCHEMA "weird; schema";
CREATE SCHEMA "Ünïcødé";
CREATE TYPE "weird; schema".mood AS ENUM ('it''s ok', 'semi;colon', '$$dollar$$', '-- dash');
CREATE DOMAIN "Ünïcødé".positive AS integer CHECK (VALUE > 0);

CREATE TABLE "weird; schema"."table ""quoted""" (
    id serial PRIMARY KEY,
    "a;b" text DEFAULT 'x; y -- z /* w */',
    "new
line" text,
    mood "weird; schema".mood,
    payload jsonb DEFAULT '{"a":1, "b":":not_a_param"}',
    amount "Ünïcødé".positive
);
COMMENT ON TABLE "weird; schema"."table ""quoted""" IS 'holds ''quotes''; semicolons; $$dollars$$ and -- dashes';

CREATE TABLE public.slots (id int PRIMARY KEY, begin int, "end" int, "case" text);
INSERT INTO public.slots VALUES (1, 10, 20, 'a'), (2, 30, 40, 'b');

CREATE FUNCTION public.plpgsql_body(x int) RETURNS text LANGUAGE plpgsql AS $body$
DECLARE
  q text := $q$SELECT 1; SELECT 2;$q$;
BEGIN
  IF x > 0 THEN
    RAISE NOTICE 'x is %; q is %', x, q;
  END IF;
  EXECUTE 'SELECT ' || quote_literal('a;b');
  RETURN $$done; really$$;
END;
$body$;

CREATE FUNCTION public.atomic_case(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;
END;

CREATE PROCEDURE public.atomic_two(a int) LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO public.slots VALUES (a, a, a, 'p;q');
  DELETE FROM public.slots WHERE id = a;
END;

CREATE TABLE public.audit (id serial, note text);
CREATE RULE slots_audit AS ON UPDATE TO public.slots DO ALSO (
  INSERT INTO public.audit (note) VALUES ('updated; first');
  INSERT INTO public.audit (note) VALUES ('updated; second')
);

CREATE VIEW "weird; schema".v AS SELECT id, "a;b" FROM "weird; schema"."table ""quoted""" WHERE "a;b" <> ';';
CREATE MATERIALIZED VIEW public.mv AS SELECT id, begin FROM public.slots;

CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := NEW.note || ';'; RETURN NEW; END $$;
CREATE TRIGGER audit_touch BEFORE INSERT ON public.audit FOR EACH ROW EXECUTE FUNCTION public.touch();

INSERT INTO "weird; schema"."table ""quoted""" ("a;b", "new
line", mood, amount) VALUES
  (E'tab\there', E'line one\nline two', 'it''s ok', 1),
  (E'back\\slash \\. end', '\.', 'semi;colon', 2),
  ('ünïcødé ✓', NULL, '$$dollar$$', 3),
  (E'\\.', E'COPY x FROM stdin;\n\\.\nSELECT 1;', '-- dash', 4);

SELECT lo_from_bytea(0, 'large; object');
