"""Name search by words: every word of every name (``name_word``, a few thousand, for
finding the words one typo away) and, on PostgreSQL, a GIN index on the words of
``subject.name_key`` (names holding given words, at national scale) and a btree index in
the order longer names rank (word count, birth date, id), for index-only scans."""

from db.raw_migration import raw_sql_migration

ID = "2026-11-27T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "name search by words"

POSTGRES = [
    "CREATE TABLE name_word (word text PRIMARY KEY)",
    "CREATE INDEX subject_name_words ON subject USING gin (string_to_array(name_key, ' '))",
    # Longer names holding the typed words rank by word count, then birth date, then id:
    # read in that order, index only (the words and the scope's columns are included), the
    # first page of "Nguyễn An" (50,000 names in a million) is found after a few hundred
    # entries instead of sorting them all.
    "CREATE INDEX subject_name_rank ON subject ((cardinality(string_to_array(name_key, ' '))), birth_date, id) "
    "INCLUDE (name_key, status, place, managing_place, facility, sex)",
    """CREATE FUNCTION name_word_collect() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO name_word (word)
        SELECT DISTINCT w FROM new_rows, unnest(string_to_array(new_rows.name_key, ' ')) AS w
        WHERE w <> ''
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER subject_name_word_insert AFTER INSERT ON subject REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION name_word_collect()",
    "CREATE TRIGGER subject_name_word_update AFTER UPDATE ON subject REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION name_word_collect()",
    "INSERT INTO name_word (word) SELECT DISTINCT w FROM subject, unnest(string_to_array(name_key, ' ')) AS w "
    "WHERE w <> '' ON CONFLICT DO NOTHING",
]
# SQLite: api.registry.index.index_name keeps the words (a trigger cannot split them);
# the words of the names already there are split here.
SQLITE = [
    "CREATE TABLE name_word (word TEXT PRIMARY KEY)",
    """WITH RECURSIVE split(word, rest) AS (
        SELECT '', name_key || ' ' FROM subject
        UNION ALL
        SELECT substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1) FROM split WHERE rest <> ''
    )
    INSERT OR IGNORE INTO name_word (word) SELECT DISTINCT word FROM split WHERE word <> ''""",
]


forwards = raw_sql_migration(ID, DESCRIPTION, sqlite=SQLITE, postgres=POSTGRES)
