--
-- PostgreSQL database dump
--

\restrict Q3dPx8Yk2mTz7LbVc1NsWq4HjRf6GaUe0KoIy5DnXpSvBt9MwZlEhCrAiOuJgFq

-- Dumped from database version 18.4
-- Dumped by pg_dump version 18.4

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: shop; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA shop;


--
-- Name: order_status; Type: TYPE; Schema: shop; Owner: -
--

CREATE TYPE shop.order_status AS ENUM (
    'new',
    'paid',
    'shipped'
);


--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: shop; Owner: -
--

CREATE FUNCTION shop.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.updated_at IS NULL THEN
    RAISE NOTICE 'row %: no timestamp; setting one', NEW.id;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: slots; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.slots (
    id integer NOT NULL,
    begin timestamp with time zone NOT NULL,
    "end" timestamp with time zone NOT NULL
);


--
-- Name: slot_start(integer); Type: FUNCTION; Schema: shop; Owner: -
--

CREATE FUNCTION shop.slot_start(slot_id integer) RETURNS timestamp with time zone
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 SELECT slots.begin
    FROM shop.slots
   WHERE (slots.id = slot_start.slot_id);
END;


--
-- Name: orders; Type: TABLE; Schema: shop; Owner: -
--

CREATE TABLE shop.orders (
    id integer NOT NULL,
    customer text NOT NULL,
    status shop.order_status DEFAULT 'new'::shop.order_status NOT NULL,
    note text DEFAULT 'a; b -- not a comment'::text,
    meta jsonb DEFAULT '{"source":"web"}'::jsonb NOT NULL,
    updated_at timestamp with time zone
);


--
-- Name: COLUMN orders.note; Type: COMMENT; Schema: shop; Owner: -
--

COMMENT ON COLUMN shop.orders.note IS 'free text; may hold ''quotes'' and $$dollars$$';


--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: shop; Owner: -
--

CREATE SEQUENCE shop.orders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: orders_id_seq; Type: SEQUENCE OWNED BY; Schema: shop; Owner: -
--

ALTER SEQUENCE shop.orders_id_seq OWNED BY shop.orders.id;


--
-- Name: paid_orders; Type: MATERIALIZED VIEW; Schema: shop; Owner: -
--

CREATE MATERIALIZED VIEW shop.paid_orders AS
 SELECT id,
    customer
   FROM shop.orders
  WHERE (status = 'paid'::shop.order_status)
  WITH NO DATA;


--
-- Name: orders id; Type: DEFAULT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders ALTER COLUMN id SET DEFAULT nextval('shop.orders_id_seq'::regclass);


--
-- Data for Name: orders; Type: TABLE DATA; Schema: shop; Owner: -
--

COPY shop.orders (id, customer, status, note, meta, updated_at) FROM stdin;
1	O'Brien; Sons	paid	rush -- today	{"source": "web"}	\N
2	$$ACME$$	new	\N	{"source": "api"}	2026-01-02 03:04:05+00
3	semi;colon	shipped	tab\there	{"source": "web"}	\N
\.


--
-- Data for Name: slots; Type: TABLE DATA; Schema: shop; Owner: -
--

COPY shop.slots (id, begin, "end") FROM stdin;
1	2026-01-01 09:00:00+00	2026-01-01 17:30:00+00
\.


--
-- Name: orders_id_seq; Type: SEQUENCE SET; Schema: shop; Owner: -
--

SELECT pg_catalog.setval('shop.orders_id_seq', 3, true);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: slots slots_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.slots
    ADD CONSTRAINT slots_pkey PRIMARY KEY (id);


--
-- Name: orders_customer_idx; Type: INDEX; Schema: shop; Owner: -
--

CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer);


--
-- Name: orders orders_touch; Type: TRIGGER; Schema: shop; Owner: -
--

CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch_updated_at();


--
-- PostgreSQL database dump complete
--

\unrestrict Q3dPx8Yk2mTz7LbVc1NsWq4HjRf6GaUe0KoIy5DnXpSvBt9MwZlEhCrAiOuJgFq

