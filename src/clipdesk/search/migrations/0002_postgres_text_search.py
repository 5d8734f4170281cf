"""PostgreSQL only: the text search configurations and GIN indexes of the PostgreSQL search backend.

`clipdesk_english` is the Snowball English stemmer without stop words (so that "the who" and "to be
or not to be" can be searched), `clipdesk_plain` lowercases only; see clipdesk.search.analysis for
which language goes where. On other databases this migration does nothing.
"""

from django.db import migrations

CREATE = """
DROP TEXT SEARCH CONFIGURATION IF EXISTS clipdesk_english;
DROP TEXT SEARCH CONFIGURATION IF EXISTS clipdesk_plain;
DROP TEXT SEARCH DICTIONARY IF EXISTS clipdesk_english_stem;
CREATE TEXT SEARCH DICTIONARY clipdesk_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION clipdesk_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION clipdesk_english
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH clipdesk_english_stem;
CREATE TEXT SEARCH CONFIGURATION clipdesk_plain (COPY = simple);
CREATE INDEX search_doc_english_gin ON search_searchdocument USING gin (english);
CREATE INDEX search_doc_plain_gin ON search_searchdocument USING gin (plain);
CREATE INDEX search_doc_exact_gin ON search_searchdocument USING gin (exact);
CREATE INDEX search_doc_speaker_gin ON search_searchdocument USING gin (speaker);
CREATE INDEX search_doc_channel_words_gin ON search_searchdocument USING gin (channel_words);
CREATE INDEX search_doc_status_kind ON search_searchdocument (status, kind);
"""

DROP = """
DROP INDEX IF EXISTS search_doc_english_gin, search_doc_plain_gin, search_doc_exact_gin, search_doc_speaker_gin,
    search_doc_channel_words_gin, search_doc_status_kind;
DROP TEXT SEARCH CONFIGURATION IF EXISTS clipdesk_english;
DROP TEXT SEARCH CONFIGURATION IF EXISTS clipdesk_plain;
DROP TEXT SEARCH DICTIONARY IF EXISTS clipdesk_english_stem;
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql.split(";\n"):
                if statement.strip():
                    schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
