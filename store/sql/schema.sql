-- Staged, typed tables. Every row that came from a file keeps where it came from.

CREATE TABLE indices (
    index_code VARCHAR PRIMARY KEY, name_vi VARCHAR NOT NULL, name_en VARCHAR,
    publisher VARCHAR, sort_order INTEGER,
    rank_decimals INTEGER);                        -- scores are rounded to this before ranking

CREATE TABLE frameworks (
    framework VARCHAR PRIMARY KEY, index_code VARCHAR NOT NULL, year_from INTEGER, year_to INTEGER,
    entity_level VARCHAR, status VARCHAR,          -- published | assumed
    total_min DOUBLE, total_max DOUBLE, total_rule VARCHAR, source VARCHAR);

CREATE TABLE criteria (
    index_code VARCHAR NOT NULL, framework VARCHAR NOT NULL, code VARCHAR NOT NULL,
    parent_code VARCHAR, level VARCHAR, name_vi VARCHAR, name_en VARCHAR,
    min_points DOUBLE, max_points DOUBLE, weight DOUBLE,
    series VARCHAR,                                -- same series = comparable across versions
    assumed BOOLEAN,
    PRIMARY KEY (framework, code));

CREATE TABLE entities (
    entity_code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, name_en VARCHAR,
    level VARCHAR NOT NULL,                        -- province | district | commune
    parent_code VARCHAR, valid_from DATE, valid_to DATE, note VARCHAR);
CREATE TABLE entity_aliases (alias VARCHAR, alias_key VARCHAR, entity_code VARCHAR, source VARCHAR);
CREATE TABLE entity_successors (entity_code VARCHAR, successor_code VARCHAR, effective DATE, note VARCHAR);
-- The names an entity bore, with their dates (data/registry/entity_names.csv: Thừa Thiên-Huế until
-- 31/12/2024, Huế from 01/01/2025, one code); an entity without rows kept entities.name throughout.
CREATE TABLE entity_names (entity_code VARCHAR NOT NULL, name VARCHAR NOT NULL, valid_from DATE, valid_to DATE,
                           source VARCHAR);

-- level: the level of entity whose plans name the unit (district | commune); NULL = every level
CREATE TABLE units (unit_code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR, note VARCHAR,
                    level VARCHAR);
CREATE TABLE unit_aliases (alias VARCHAR, alias_key VARCHAR, unit_code VARCHAR);
CREATE TABLE unit_group_members (group_code VARCHAR, member_code VARCHAR);
-- former district unit -> the commune unit that took over its work (data/registry/office_crosswalk.csv);
-- commune_unit NULL: no counterpart, nothing proposed; status: 'căn cứ' (a source states it) | 'đề xuất'
CREATE TABLE office_crosswalk (district_unit VARCHAR PRIMARY KEY, commune_unit VARCHAR, status VARCHAR,
                               confidence VARCHAR, basis VARCHAR, source VARCHAR);

-- entity_code: the assessed entity whose plan it is; its units answer for that entity's scores only
CREATE TABLE plans (plan_id VARCHAR PRIMARY KEY, title VARCHAR, source_file VARCHAR, sha256 VARCHAR,
                    entity_code VARCHAR, issuer VARCHAR, year_from INTEGER, year_to INTEGER);
-- A plan made the entity's plan of record in the app, or shipped so (store/adoption.py): its
-- number, the day it was signed and who signed it; who adopted it in the app and when.
CREATE TABLE plan_adoptions (plan_id VARCHAR PRIMARY KEY, number VARCHAR NOT NULL, signed_on DATE NOT NULL,
                             signer VARCHAR NOT NULL, adopted_by VARCHAR, adopted_at TIMESTAMP,
                             document VARCHAR, is_illustrative BOOLEAN NOT NULL DEFAULT FALSE);
CREATE TABLE plan_criteria (
    plan_id VARCHAR, index_code VARCHAR, code VARCHAR, name VARCHAR, level VARCHAR,
    parent_code VARCHAR, timing VARCHAR, location VARCHAR);
CREATE TABLE plan_assignments (
    plan_id VARCHAR, index_code VARCHAR, criterion_code VARCHAR, role VARCHAR, unit_code VARCHAR,
    position INTEGER, raw_text VARCHAR, location VARCHAR);
CREATE TABLE plan_task_items (
    plan_id VARCHAR, index_code VARCHAR, section VARCHAR, task_no VARCHAR, text VARCHAR,
    remark VARCHAR, location VARCHAR);
CREATE TABLE plan_task_units (
    plan_id VARCHAR, task_no VARCHAR, role VARCHAR, unit_code VARCHAR, position INTEGER, raw_text VARCHAR);

-- plan criterion -> published criterion (same index), by name or by an override
CREATE TABLE crosswalk (
    plan_id VARCHAR, index_code VARCHAR, plan_code VARCHAR, framework VARCHAR,
    criterion_code VARCHAR, method VARCHAR, similarity DOUBLE, note VARCHAR);

CREATE TABLE score (
    year INTEGER NOT NULL, index_code VARCHAR NOT NULL, framework VARCHAR NOT NULL,
    criterion_code VARCHAR,                        -- NULL = the index total
    entity_code VARCHAR NOT NULL,
    points DOUBLE, max_points DOUBLE,              -- max_points NULL = the framework's
    rank INTEGER, n_ranked INTEGER, label VARCHAR,
    rank_min INTEGER, rank_max INTEGER,            -- no rank, but a source's group: «top five» = 1–5
    is_illustrative BOOLEAN NOT NULL,
    derived BOOLEAN NOT NULL DEFAULT FALSE,        -- summed here from its sub-criteria
    source_file VARCHAR, source_sheet VARCHAR, source_row INTEGER, source_note VARCHAR,
    import_id INTEGER);

-- One consistent ordering per peer group (store/ranking.py): published ranks as given,
-- computed ones filling the free slots; rebuilt by every write, stored in peer_id order.
CREATE TABLE score_rank (
    year INTEGER, index_code VARCHAR, framework VARCHAR, criterion_code VARCHAR, entity_code VARCHAR,
    rank INTEGER, n_ranked INTEGER, rank_published BOOLEAN,
    rank_conflict BOOLEAN,                         -- the score contradicts the published ranks: no rank
    rank_note VARCHAR,                             -- why a scored unit has no rank (domain.vocabulary.RANK_NOTES)
    peer_id BIGINT,                                -- the peer group (store/sql/rank_base.sql defines it)
    peers_illustrative BOOLEAN);                   -- some score in the peer group is illustrative

-- What the pages read per entity (store/sql/precompute_criterion_metrics.sql defines the
-- columns), computed by every write that changes scores (store/build.py precompute) and stored
-- in entity order, so that one entity's rows are read without scanning the country.
CREATE TABLE criterion_metrics_all (
    year INTEGER, index_code VARCHAR, framework VARCHAR, criterion_code VARCHAR, criterion_name VARCHAR,
    level VARCHAR, is_leaf BOOLEAN, parent_code VARCHAR, series VARCHAR,
    entity_code VARCHAR, entity_name VARCHAR, entity_level VARCHAR, peer_group VARCHAR,
    points DOUBLE, max_points DOUBLE, pct DOUBLE, prev_year INTEGER, break_before BOOLEAN,
    change_points DOUBLE, change_pct_points DOUBLE, prev_change_pct_points DOUBLE,
    rank INTEGER, rank_computed BOOLEAN, n_ranked INTEGER, rank_change INTEGER, rank_note VARCHAR,
    peer_median DOUBLE, peer_best DOUBLE, n_peers BIGINT, is_illustrative BOOLEAN, label VARCHAR,
    source VARCHAR, decline_run BIGINT, rank_conflict BOOLEAN, score_is_illustrative BOOLEAN);

-- Per index, a fingerprint of its score and score_rank rows when criterion_metrics_all was
-- last computed: a write computes again only the indices whose rows changed.
CREATE TABLE criterion_metrics_state (index_code VARCHAR, n_rows BIGINT, fingerprint HUGEINT);

CREATE TABLE import_log (
    import_id INTEGER PRIMARY KEY, imported_at TIMESTAMP NOT NULL, user_name VARCHAR, action VARCHAR,
    file VARCHAR, sha256 VARCHAR, index_code VARCHAR, rows_read INTEGER, rows_loaded INTEGER,
    rows_replaced INTEGER, note VARCHAR);

-- Two shipped sources stating the same fact differently: the first source in
-- data/manifest.csv stands; the disagreement is kept here for people to see.
CREATE TABLE source_conflicts (file VARCHAR, sheet VARCHAR, row INTEGER, message VARCHAR);

-- The plan's reporting loop: what a unit reported on one of its duties (store/sql/plan_duties.sql)
-- for one period of a year. One row per (plan, item, unit, year, period); a new report on the
-- same key replaces it, in a write that import_log records and undo reverses.
CREATE TABLE progress_reports (
    plan_id VARCHAR NOT NULL, item_kind VARCHAR NOT NULL,   -- criterion (an appendix row) | task (section II.1)
    index_code VARCHAR NOT NULL, item_code VARCHAR NOT NULL,
    unit_code VARCHAR NOT NULL,                    -- the reporting unit (a member of a group assigned)
    year INTEGER NOT NULL, period VARCHAR NOT NULL,  -- data/reporting/periods.csv
    status VARCHAR NOT NULL,                       -- data/reporting/statuses.csv
    done_text VARCHAR, evidence VARCHAR,           -- what was done; document number or link
    evidence_file VARCHAR, evidence_sha256 VARCHAR,  -- a file kept in evidence/ beside the database
    obstacles VARCHAR, reported_by VARCHAR, reported_at TIMESTAMP,
    is_illustrative BOOLEAN NOT NULL DEFAULT FALSE, import_id INTEGER);
