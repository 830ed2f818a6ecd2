-- The function body reads a column named "begin" at parenthesis depth 0.
-- pg_dump prints it unquoted, and psql's BEGIN ATOMIC rule then swallows the
-- rest of the dump into one statement.
CREATE TABLE public.tb (id int PRIMARY KEY, begin int);
INSERT INTO public.tb VALUES (1, 42);
CREATE FUNCTION public.first_begin() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT tb.begin FROM public.tb ORDER BY id LIMIT 1;
END;
CREATE TABLE public.after_trap (id int PRIMARY KEY, note text);
INSERT INTO public.after_trap VALUES (1, 'loaded after the trap');
