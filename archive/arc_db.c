/*
 * The archive index: opening and migrating DIR/index.sqlite, prepared
 * statements, and the writes of a stack.  A handle is idle or in_stack:
 *   idle --arc_stack_begin--> in_stack --arc_stack_commit--> idle
 *   in_stack --arc_stack_abort, failed commit, arc_close--> idle
 * In in_stack our BEGIN IMMEDIATE is open and files[] names every image
 * written since; leaving it other than by COMMIT removes them.  A failed
 * page or letter is undone by its own savepoint.
 */
#include "archive/arc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <strings.h>
#include <unistd.h>

/*
 * Schema steps: step i takes user_version i to i + 1.  Never edit a step
 * that has shipped; append a new one.
 */
static const char *const arc_migrations[] = {
    /* 1 */
    "CREATE TABLE stack(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  source TEXT NOT NULL,\n"
    "  archived TEXT NOT NULL, /* UTC ISO-8601 'YYYY-MM-DDTHH:MM:SSZ' */\n"
    "  page_count INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE letter(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  stack_id INTEGER NOT NULL REFERENCES stack(id),\n"
    "  tracking_code TEXT NOT NULL UNIQUE, /* canonical 'XXXX-XXXX' */\n"
    "  first_page INTEGER NOT NULL,\n"
    "  page_count INTEGER NOT NULL,\n"
    "  language TEXT,\n"
    "  archived TEXT NOT NULL);\n"
    "CREATE TABLE page(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  stack_id INTEGER NOT NULL REFERENCES stack(id),\n"
    "  letter_id INTEGER REFERENCES letter(id),\n"
    "  seq INTEGER NOT NULL, /* 1-based page in source */\n"
    "  img_path TEXT NOT NULL, /* relative to the archive dir */\n"
    "  img_format TEXT NOT NULL, /* 'tiff-g4', 'png' or 'jpeg' */\n"
    "  sha256 TEXT NOT NULL, /* lowercase hex of the stored file */\n"
    "  width INTEGER,\n"
    "  height INTEGER,\n"
    "  depth INTEGER,\n"
    "  dpi INTEGER,\n"
    "  blank INTEGER NOT NULL DEFAULT 0,\n"
    "  rotation INTEGER NOT NULL DEFAULT 0,\n"
    "  skew REAL NOT NULL DEFAULT 0,\n"
    "  text TEXT,\n"
    "  ocr_conf INTEGER,\n"
    "  language TEXT,\n"
    "  script TEXT,\n"
    "  UNIQUE(stack_id, seq));\n"
    "CREATE TABLE word(\n"
    "  page_id INTEGER NOT NULL REFERENCES page(id),\n"
    "  n INTEGER NOT NULL,\n"
    "  x INTEGER,\n"
    "  y INTEGER,\n"
    "  w INTEGER,\n"
    "  h INTEGER,\n"
    "  conf INTEGER,\n"
    "  text TEXT NOT NULL,\n"
    "  PRIMARY KEY(page_id, n)) WITHOUT ROWID;\n"
    "CREATE INDEX page_letter ON page(letter_id);\n"
    "CREATE INDEX letter_stack ON letter(stack_id);\n"
    "CREATE VIRTUAL TABLE page_fts USING fts5(text, content='page',\n"
    "  content_rowid='id', tokenize='trigram');\n"
    "CREATE TRIGGER page_fts_insert AFTER INSERT ON page BEGIN\n"
    "  INSERT INTO page_fts(rowid, text) VALUES(new.id, new.text);\n"
    "  END;\n"
    "CREATE TRIGGER page_fts_delete AFTER DELETE ON page BEGIN\n"
    "  INSERT INTO page_fts(page_fts, rowid, text)\n"
    "  VALUES('delete', old.id, old.text);\n"
    "  END;\n"
    "CREATE TRIGGER page_fts_update AFTER UPDATE OF text ON page BEGIN\n"
    "  INSERT INTO page_fts(page_fts, rowid, text)\n"
    "  VALUES('delete', old.id, old.text);\n"
    "  INSERT INTO page_fts(rowid, text) VALUES(new.id, new.text);\n"
    "  END;\n",
    /* 2: scanned stacks are committed page by page and OCR'd after. */
    "ALTER TABLE stack ADD COLUMN state TEXT NOT NULL DEFAULT 'complete'\n"
    "  CHECK(state IN ('scanning', 'complete'));\n"
    "ALTER TABLE page ADD COLUMN processed INTEGER NOT NULL DEFAULT 1;\n"
    "CREATE INDEX page_pending ON page(stack_id) WHERE processed = 0;\n",
    /* 3: barcodes, separator sheets, and boundaries for review. */
    "ALTER TABLE page ADD COLUMN codes TEXT; /* 'TYPE:DATA' lines */\n"
    "ALTER TABLE page ADD COLUMN role TEXT /* NULL: letter content */\n"
    "  CHECK(role IN ('separator', 'unsure'));\n"
    "CREATE TABLE review(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL CHECK(kind IN ('boundary')),\n"
    "  stack_id INTEGER NOT NULL REFERENCES stack(id),\n"
    "  seq INTEGER NOT NULL, /* the page the question is about */\n"
    "  reason TEXT NOT NULL,\n"
    "  created TEXT NOT NULL,\n"
    "  resolved TEXT, /* NULL while open */\n"
    "  resolved_by TEXT);\n"
    "CREATE INDEX review_open ON review(stack_id) WHERE resolved IS NULL;\n",
    /*
     * 4: reviewers' corrections.  The audit table is append-only; a code
     * retired by a merge keeps pointing at the letter it went into.
     */
    "ALTER TABLE review ADD COLUMN answer TEXT\n"
    "  CHECK(answer IN ('boundary', 'no boundary'));\n"
    "CREATE TABLE audit(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  at TEXT NOT NULL, /* UTC ISO-8601 */\n"
    "  who TEXT NOT NULL, /* the reviewer, or 'mailroom' */\n"
    "  action TEXT NOT NULL, /* 'split', 'merge', 'recompute' */\n"
    "  letter TEXT NOT NULL, /* tracking code */\n"
    "  field TEXT NOT NULL, /* 'pages', 'language' */\n"
    "  old TEXT, /* NULL: the letter did not exist */\n"
    "  new TEXT, /* NULL: the letter no longer exists */\n"
    "  other TEXT, /* the other letter of a split or merge */\n"
    "  reason TEXT);\n"
    "CREATE INDEX audit_letter ON audit(letter);\n"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN\n"
    "  SELECT RAISE(ABORT, 'the audit table is append-only');\n"
    "  END;\n"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN\n"
    "  SELECT RAISE(ABORT, 'the audit table is append-only');\n"
    "  END;\n"
    "CREATE TABLE retired_code(\n"
    "  code TEXT PRIMARY KEY,\n"
    "  letter_id INTEGER NOT NULL REFERENCES letter(id),\n"
    "  retired TEXT NOT NULL);\n"
    "CREATE INDEX retired_letter ON retired_code(letter_id);\n",
    /*
     * 5: the decisions on a letter, the writer its text names, and the
     * registry of writers that recognises one person across letters.
     */
    "CREATE TABLE writer(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT,\n"
    "  phone TEXT, /* normalised: 13800000001, 023-12345678 */\n"
    "  id_number TEXT, /* only one whose check character is right */\n"
    "  address TEXT,\n"
    "  first_seen TEXT NOT NULL);\n"
    "CREATE INDEX writer_phone ON writer(phone);\n"
    "CREATE INDEX writer_id_number ON writer(id_number);\n"
    "CREATE INDEX writer_name ON writer(name);\n"
    "ALTER TABLE letter ADD COLUMN valid INTEGER; /* NULL: not decided */\n"
    "ALTER TABLE letter ADD COLUMN validity_reason TEXT;\n"
    "ALTER TABLE letter ADD COLUMN addressee TEXT;\n"
    "ALTER TABLE letter ADD COLUMN mailbox TEXT;\n"
    "ALTER TABLE letter ADD COLUMN department TEXT;\n"
    "ALTER TABLE letter ADD COLUMN confidence REAL;\n"
    "ALTER TABLE letter ADD COLUMN review TEXT\n"
    "  CHECK(review IN ('pending', 'confirmed'));\n"
    "ALTER TABLE letter ADD COLUMN risk TEXT; /* kinds, comma-separated */\n"
    "ALTER TABLE letter ADD COLUMN risk_words TEXT;\n"
    "ALTER TABLE letter ADD COLUMN reasons TEXT; /* JSON */\n"
    "ALTER TABLE letter ADD COLUMN writer_id INTEGER REFERENCES writer(id);\n"
    "ALTER TABLE letter ADD COLUMN writer_name TEXT;\n"
    "ALTER TABLE letter ADD COLUMN writer_phone TEXT;\n"
    "ALTER TABLE letter ADD COLUMN writer_id_number TEXT;\n"
    "ALTER TABLE letter ADD COLUMN writer_id_state TEXT\n"
    "  CHECK(writer_id_state IN ('valid', 'damaged'));\n"
    "ALTER TABLE letter ADD COLUMN writer_address TEXT;\n"
    "CREATE INDEX letter_writer ON letter(writer_id);\n",
    /*
     * 6: what a letter is about (a MinHash signature), the LSH index of
     * its bands, and the links to earlier letters on the same matter.
     */
    "ALTER TABLE letter ADD COLUMN signature BLOB; /* uint32 LE each */\n"
    "ALTER TABLE letter ADD COLUMN repeat INTEGER; /* NULL: not decided */\n"
    "CREATE TABLE lsh(\n"
    "  key INTEGER NOT NULL, /* band << 56 | hash of the band */\n"
    "  letter_id INTEGER NOT NULL REFERENCES letter(id),\n"
    "  PRIMARY KEY(key, letter_id)) WITHOUT ROWID;\n"
    "CREATE INDEX lsh_letter ON lsh(letter_id);\n"
    "CREATE TABLE letter_link(\n"
    "  letter_id INTEGER NOT NULL REFERENCES letter(id), /* the later */\n"
    "  other_id INTEGER NOT NULL REFERENCES letter(id), /* the earlier */\n"
    "  kind TEXT NOT NULL CHECK(kind IN ('repeat', 'related')),\n"
    "  similarity REAL NOT NULL,\n"
    "  PRIMARY KEY(letter_id, other_id)) WITHOUT ROWID;\n"
    "CREATE INDEX letter_link_other ON letter_link(other_id);\n"
    "CREATE INDEX letter_alert ON letter(archived)\n"
    "  WHERE repeat = 1 OR risk IS NOT NULL;\n",
    /*
     * 7: the department model learnt from reviewers' confirmations: the
     * newest training only, with the audit row it came after, so that
     * the confirmations since can be counted.
     */
    "CREATE TABLE model(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  trained TEXT NOT NULL, /* UTC ISO-8601 */\n"
    "  who TEXT NOT NULL,\n"
    "  letters INTEGER NOT NULL,\n"
    "  departments INTEGER NOT NULL,\n"
    "  tested INTEGER NOT NULL, /* cross-validated guesses */\n"
    "  correct INTEGER NOT NULL, /* of them right */\n"
    "  audit_id INTEGER NOT NULL, /* the newest audit row then */\n"
    "  data BLOB NOT NULL); /* classifier/cls_model.c's format */\n"
    "CREATE INDEX audit_confirmed ON audit(id)\n"
    "  WHERE action = 'confirm' AND field = 'review';\n",
    /*
     * 8: page.processed 2: the page is stored and surveyed (blank or
     * not), its reading left for later at low priority: the rest of a
     * long letter decided from its first pages and a sample.
     */
    "CREATE INDEX page_deferred ON page(letter_id) WHERE processed = 2;\n",
    /*
     * 9: a letter's way through the office, as its writer can follow it
     * with the tracking code and the query password (only its hash kept).
     */
    "ALTER TABLE letter ADD COLUMN state TEXT NOT NULL DEFAULT 'received'\n"
    "  CHECK(state IN ('received', 'sorted', 'confirmed', 'handed_over',\n"
    "                  'replied', 'closed'));\n"
    "ALTER TABLE letter ADD COLUMN handed_over TEXT; /* UTC ISO-8601 */\n"
    "ALTER TABLE letter ADD COLUMN replied TEXT;\n"
    "ALTER TABLE letter ADD COLUMN reply TEXT; /* the unit's result */\n"
    "ALTER TABLE letter ADD COLUMN rating_office INTEGER\n"
    "  CHECK(rating_office BETWEEN 1 AND 3); /* 3 satisfied .. 1 not */\n"
    "ALTER TABLE letter ADD COLUMN rating_unit INTEGER\n"
    "  CHECK(rating_unit BETWEEN 1 AND 3);\n"
    "ALTER TABLE letter ADD COLUMN closed TEXT;\n"
    "ALTER TABLE letter ADD COLUMN password TEXT; /* PBKDF2 hash */\n"
    "UPDATE letter SET state = CASE WHEN review = 'confirmed' THEN\n"
    "  'confirmed' WHEN valid IS NOT NULL THEN 'sorted' ELSE 'received' END;\n"
    "CREATE INDEX letter_state ON letter(state);\n",
    /*
     * 10: the office workflow: letters marked for simple handling (a
     * shorter result deadline), the reviewer's kind of reason for an
     * override, and the bundles handed to mailboxes' offices.
     */
    "ALTER TABLE letter ADD COLUMN simple INTEGER NOT NULL DEFAULT 0\n"
    "  CHECK(simple IN (0, 1));\n"
    "ALTER TABLE audit ADD COLUMN why TEXT; /* an override's kind */\n"
    "CREATE TABLE bundle(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  mailbox TEXT NOT NULL,\n"
    "  created TEXT NOT NULL, /* UTC ISO-8601: the letters' handover */\n"
    "  who TEXT NOT NULL,\n"
    "  path TEXT NOT NULL UNIQUE, /* the PDF, relative to the archive */\n"
    "  sha256 TEXT NOT NULL, /* of the PDF */\n"
    "  letters INTEGER NOT NULL,\n"
    "  pages INTEGER NOT NULL);\n"
    "ALTER TABLE letter ADD COLUMN bundle_id INTEGER REFERENCES bundle(id);\n"
    "CREATE INDEX letter_bundle ON letter(bundle_id);\n",
    /*
     * 11: an imported file's content, so that importing it again (after
     * a cut-off run, or by mistake) finds its stack instead of storing it
     * twice.  NULL for scanned stacks and for files imported before.
     */
    "ALTER TABLE stack ADD COLUMN sha256 TEXT; /* of the file, hex */\n"
    "CREATE UNIQUE INDEX stack_sha256 ON stack(sha256)\n"
    "  WHERE sha256 IS NOT NULL;\n",
};

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* How long a writer waits for another mailroom's lock, in seconds. */
#define ARC_BUSY_WAIT_S 600

_Static_assert(ARRAY_SIZE(arc_migrations) == ARC_SCHEMA_VERSION,
               "ARC_SCHEMA_VERSION must count the migration steps");

/*
 * The open review questions about letter l: those of its stack from the
 * page after the letter before it to the page after its last.
 */
#define REVIEW_OF_LETTER                                                       \
    " r.stack_id = l.stack_id AND r.resolved IS NULL AND r.seq BETWEEN"        \
    " (SELECT coalesce(max(p.seq), 0) + 1 FROM page AS p"                      \
    "  WHERE p.stack_id = l.stack_id AND p.seq < l.first_page"                 \
    "  AND p.letter_id IS NOT NULL) AND l.first_page + l.page_count"

/* Columns of a letter row, as letter_fill() in arc_query.c reads them. */
#define LETTER_COLUMNS                                                         \
    "SELECT l.id, l.tracking_code, s.source, l.archived, l.first_page,"        \
    " l.page_count, l.language, l.stack_id,"                                   \
    " (SELECT count(*) FROM review AS r WHERE" REVIEW_OF_LETTER "),"           \
    " l.valid, l.validity_reason, l.addressee, l.mailbox, l.department,"       \
    " l.confidence, l.review, l.risk, l.risk_words, l.reasons, l.writer_id,"   \
    " l.writer_name, l.writer_phone, l.writer_id_number, l.writer_id_state,"   \
    " l.writer_address, l.repeat,"                                             \
    " (SELECT group_concat(o.tracking_code) FROM letter_link AS k"             \
    "  JOIN letter AS o ON o.id = k.other_id"                                  \
    "  WHERE k.letter_id = l.id AND k.kind = 'repeat'),"                       \
    " l.state, l.handed_over, l.replied, l.reply, l.rating_office,"            \
    " l.rating_unit, l.closed, l.password IS NOT NULL, l.simple,"              \
    " l.bundle_id"                                                             \
    " FROM letter AS l JOIN stack AS s ON s.id = l.stack_id"

/* Columns and order of a search hit, as arc_search() reads them. */
#define HIT_COLUMNS "SELECT p.id, p.seq, l.tracking_code, s.source, p.text"
#define HIT_JOINS                                                              \
    " JOIN stack AS s ON s.id = p.stack_id"                                    \
    " LEFT JOIN letter AS l ON l.id = p.letter_id"
#define HIT_ORDER " ORDER BY l.id DESC, p.stack_id DESC, p.seq LIMIT :limit"

static const char *const arc_sql[ARC_ST_COUNT] = {
    [ARC_ST_STACK_INSERT] = "INSERT INTO stack(source, archived, sha256)"
                            " VALUES(:source, :archived, :sha256)",
    [ARC_ST_STACK_BY_SHA256] = "SELECT id FROM stack WHERE sha256 = :sha256",
    [ARC_ST_STACK_COUNT] =
        "UPDATE stack SET page_count ="
        " (SELECT count(*) FROM page WHERE stack_id = :stack)"
        " WHERE id = :stack",
    [ARC_ST_PAGE_INSERT] =
        "INSERT INTO page(stack_id, seq, img_path, img_format, sha256,"
        " width, height, depth, dpi, blank, rotation, skew, text,"
        " ocr_conf, language, script, processed, codes, role)"
        " VALUES(:stack, :seq, :path, :format, :sha256, :width,"
        " :height, :depth, :dpi, :blank, :rotation, :skew, :text,"
        " :conf, :language, :script, :processed, :codes, :role)",
    [ARC_ST_WORD_INSERT] =
        "INSERT INTO word(page_id, n, x, y, w, h, conf, text)"
        " VALUES(:page, :n, :x, :y, :w, :h, :conf, :text)",
    [ARC_ST_PAGE_FREE] =
        "SELECT count(*) FROM page WHERE stack_id = :stack"
        " AND seq BETWEEN :first AND :last AND letter_id IS NULL",
    /* A code once retired by a merge is never given out again. */
    [ARC_ST_LETTER_INSERT] =
        "INSERT INTO letter(stack_id, tracking_code, first_page,"
        " page_count, language, archived)"
        " SELECT :stack, :code, :first, :count, :language, :archived"
        " WHERE NOT EXISTS (SELECT 1 FROM retired_code WHERE code = :code)",
    [ARC_ST_LETTER_PAGES_SET] =
        "UPDATE page SET letter_id = :letter WHERE stack_id = :stack"
        " AND seq BETWEEN :first AND :last AND letter_id IS NULL",
    [ARC_ST_LETTER_ALL] = LETTER_COLUMNS " ORDER BY l.stack_id, l.first_page",
    [ARC_ST_LETTER_BY_CODE] = LETTER_COLUMNS " WHERE l.tracking_code = :code",
    [ARC_ST_LETTER_ALERTS] =
        LETTER_COLUMNS " WHERE l.repeat = 1 OR l.risk IS NOT NULL"
                       " ORDER BY l.archived DESC, l.id DESC",
    [ARC_ST_LETTER_PAGES] =
        "SELECT id, blank, ocr_conf, text, processed FROM page"
        " WHERE letter_id = :letter ORDER BY seq",
    [ARC_ST_LETTERS_UNREAD] =
        "SELECT tracking_code FROM letter WHERE id IN"
        " (SELECT letter_id FROM page WHERE processed = 2)"
        " AND (:stack = 0 OR stack_id = :stack) ORDER BY id",
    [ARC_ST_SEARCH_FTS] =
        HIT_COLUMNS " FROM page_fts"
                    " JOIN page AS p ON p.id = page_fts.rowid" HIT_JOINS
                    " WHERE page_fts MATCH :q" HIT_ORDER,
    [ARC_ST_SEARCH_INSTR] =
        HIT_COLUMNS " FROM page AS p" HIT_JOINS
                    " WHERE instr(lower(p.text), lower(:q)) > 0" HIT_ORDER,
    [ARC_ST_PAGE_FILE] =
        "SELECT img_path, img_format, sha256 FROM page WHERE id = :id",
    [ARC_ST_TOTALS] = "SELECT (SELECT count(*) FROM stack),"
                      " (SELECT count(*) FROM letter),"
                      " (SELECT count(*) FROM page),"
                      " (SELECT count(*) FROM page WHERE blank <> 0)",
    [ARC_ST_PAGE_EXISTS] =
        "SELECT count(*) FROM page WHERE stack_id = :stack AND seq = :seq",
    [ARC_ST_STACK_GET] = "SELECT archived, state FROM stack WHERE id = :stack",
    [ARC_ST_STACK_STATE] = "UPDATE stack SET state = :state WHERE id = :stack",
    [ARC_ST_STACK_PAGES] =
        "SELECT id, seq, processed, blank, role, text, letter_id"
        " FROM page WHERE stack_id = :stack ORDER BY seq",
    [ARC_ST_STACKS_UNFINISHED] =
        "SELECT s.id FROM stack AS s WHERE s.state = 'complete' AND"
        " (EXISTS (SELECT 1 FROM page AS p"
        "          WHERE p.stack_id = s.id AND p.processed = 0)"
        "  OR (s.page_count > 0 AND NOT EXISTS"
        "      (SELECT 1 FROM letter AS l WHERE l.stack_id = s.id)))"
        " ORDER BY s.id",
    [ARC_ST_PAGE_RESULTS] =
        "UPDATE page SET blank = :blank, rotation = :rotation, skew = :skew,"
        " text = :text, ocr_conf = :conf, language = :language,"
        " script = :script, processed = :processed, codes = :codes,"
        " role = :role"
        " WHERE id = :page AND stack_id = :stack",
    [ARC_ST_WORD_DELETE] = "DELETE FROM word WHERE page_id = :page",
    [ARC_ST_REVIEW_INSERT] =
        "INSERT INTO review(kind, stack_id, seq, reason, created)"
        " VALUES(:kind, :stack, :seq, :reason, :at)",
    [ARC_ST_LETTER_CONTENT] =
        "SELECT count(*) FROM page WHERE letter_id = :letter"
        " AND seq BETWEEN :first AND :last AND blank = 0"
        " AND role IS NOT 'separator'",
    [ARC_ST_LETTER_MOVE] = "UPDATE page SET letter_id = :to"
                           " WHERE letter_id = :from AND seq >= :seq",
    [ARC_ST_LETTER_SPAN] = "UPDATE letter SET first_page = :first,"
                           " page_count = :count WHERE id = :letter",
    [ARC_ST_LETTER_DELETE] = "DELETE FROM letter WHERE id = :letter",
    [ARC_ST_LETTER_LANGUAGE] =
        "UPDATE letter SET language = :language WHERE id = :letter",
    [ARC_ST_PAGES_BETWEEN] =
        "SELECT count(*) FROM page WHERE stack_id = :stack"
        " AND seq BETWEEN :first AND :last AND letter_id IS NOT NULL"
        " AND letter_id NOT IN (:a, :b)",
    [ARC_ST_PAGES_JOIN] = "UPDATE page SET letter_id = :letter"
                          " WHERE stack_id = :stack"
                          " AND seq BETWEEN :first AND :last",
    [ARC_ST_LETTER_BEFORE] =
        "SELECT coalesce(max(seq), 0) FROM page WHERE stack_id = :stack"
        " AND seq < :seq AND letter_id IS NOT NULL",
    [ARC_ST_CODE_RETIRE] = "INSERT INTO retired_code(code, letter_id, retired)"
                           " VALUES(:code, :letter, :at)",
    [ARC_ST_CODE_REPOINT] =
        "UPDATE retired_code SET letter_id = :to WHERE letter_id = :from",
    [ARC_ST_CODE_RETIRED] =
        "SELECT l.tracking_code, c.retired FROM retired_code AS c"
        " JOIN letter AS l ON l.id = c.letter_id WHERE c.code = :code",
    [ARC_ST_AUDIT_INSERT] =
        "INSERT INTO audit(at, who, action, letter, field, old, new, other,"
        " reason, why) VALUES(:at, :who, :action, :letter, :field, :old, :new,"
        " :other, :reason, :why)",
    [ARC_ST_AUDIT_OF_LETTER] =
        "SELECT at, who, action, field, old, new, other, reason, why, id"
        " FROM audit WHERE letter = :letter"
        " UNION ALL SELECT at, who, action, field, old, new, other, reason,"
        " why, id FROM audit WHERE letter = '*' AND action = 'unmasked'"
        " AND instr(',' || new || ',', ',' || :letter || ',') > 0"
        " ORDER BY id",
    [ARC_ST_REVIEW_ANSWER] =
        "UPDATE review SET resolved = :at, resolved_by = :who,"
        " answer = :answer WHERE stack_id = :stack AND resolved IS NULL"
        " AND seq BETWEEN :first AND :last",
    [ARC_ST_LETTER_DECIDE] =
        "UPDATE letter SET valid = :valid, validity_reason = :reason,"
        " addressee = :addressee, mailbox = :mailbox,"
        " department = :department, confidence = :confidence,"
        " review = :review, risk = :risk, risk_words = :risk_words,"
        " reasons = :reasons, writer_id = :writer, writer_name = :name,"
        " writer_phone = :phone, writer_id_number = :id_number,"
        " writer_id_state = :id_state, writer_address = :address,"
        " state = CASE state WHEN 'received' THEN 'sorted' ELSE state END"
        " WHERE id = :letter",
    [ARC_ST_LETTER_CONFIRM] =
        "UPDATE letter SET valid = :valid, validity_reason = :reason,"
        " mailbox = :mailbox, department = :department, review = 'confirmed',"
        " simple = coalesce(:simple, simple),"
        " state = CASE WHEN state IN ('received', 'sorted') THEN 'confirmed'"
        " ELSE state END"
        " WHERE id = :letter",
    [ARC_ST_LETTER_PASSWORD_SET] =
        "UPDATE letter SET password = :password WHERE id = :letter",
    [ARC_ST_LETTER_PASSWORD_GET] =
        "SELECT password FROM letter WHERE id = :letter",
    [ARC_ST_LETTER_REPLY] =
        "UPDATE letter SET state = 'replied', replied = :at, reply = :reply"
        " WHERE id = :letter",
    [ARC_ST_LETTER_RATE] =
        "UPDATE letter SET state = 'closed', closed = :at,"
        " rating_office = :office, rating_unit = :unit WHERE id = :letter",
    [ARC_ST_BUNDLE_INSERT] =
        "INSERT INTO bundle(mailbox, created, who, path, sha256, letters, "
        "pages)"
        " VALUES(:mailbox, :created, :who, :path, :sha256, :letters, :pages)",
    [ARC_ST_LETTER_HAND_OVER] =
        "UPDATE letter SET state = 'handed_over', handed_over = :at,"
        " bundle_id = :bundle WHERE id = :letter AND state = 'confirmed'",
    [ARC_ST_BUNDLE_ALL] = "SELECT id, path FROM bundle ORDER BY id",
    [ARC_ST_CONFIRMED_LETTERS] =
        "SELECT l.department, (SELECT group_concat(t, char(12, 10)) FROM"
        " (SELECT p.text AS t FROM page AS p WHERE p.letter_id = l.id"
        "  AND p.text IS NOT NULL ORDER BY p.seq))"
        " FROM letter AS l WHERE l.review = 'confirmed' AND l.valid = 1"
        " AND l.department IS NOT NULL AND l.department <> 'other'"
        " ORDER BY l.id",
    [ARC_ST_MODEL_INSERT] =
        "INSERT INTO model(trained, who, letters, departments, tested,"
        " correct, audit_id, data) VALUES(:trained, :who, :letters,"
        " :departments, :tested, :correct,"
        " (SELECT coalesce(max(id), 0) FROM audit), :data)",
    [ARC_ST_MODEL_GET] =
        "SELECT m.trained, m.who, m.letters, m.departments, m.tested,"
        " m.correct, m.data, (SELECT count(*) FROM audit AS u"
        "  WHERE u.action = 'confirm' AND u.field = 'review'"
        "  AND u.id > coalesce(m.audit_id, 0))"
        " FROM (SELECT 1) LEFT JOIN model AS m",
    [ARC_ST_PAGE_LETTER] =
        "SELECT l.tracking_code, p.text FROM page AS p"
        " LEFT JOIN letter AS l ON l.id = p.letter_id WHERE p.id = :id",
    [ARC_ST_WRITER_BY_ID_NUMBER] =
        "SELECT id FROM writer WHERE id_number = :v ORDER BY id LIMIT 1",
    [ARC_ST_WRITER_BY_PHONE] =
        "SELECT id FROM writer WHERE phone = :v ORDER BY id LIMIT 1",
    [ARC_ST_WRITER_BY_NAME] =
        "SELECT id, address, phone, id_number FROM writer WHERE name = :v"
        " ORDER BY id",
    [ARC_ST_WRITER_INSERT] =
        "INSERT INTO writer(name, phone, id_number, address, first_seen)"
        " VALUES(:name, :phone, :id_number, :address, :at)",
    [ARC_ST_WRITER_FILL] =
        "UPDATE writer SET name = coalesce(name, :name),"
        " phone = coalesce(phone, :phone),"
        " id_number = coalesce(id_number, :id_number),"
        " address = coalesce(address, :address) WHERE id = :id",
    [ARC_ST_SIGNATURE_SET] =
        "UPDATE letter SET signature = :signature, repeat = :repeat"
        " WHERE id = :letter",
    [ARC_ST_LSH_CLEAR] = "DELETE FROM lsh WHERE letter_id = :letter",
    [ARC_ST_LSH_ADD] =
        "INSERT OR IGNORE INTO lsh(key, letter_id) VALUES(:key, :letter)",
    [ARC_ST_LSH_FIND] =
        "SELECT l.id, l.tracking_code, l.archived, l.writer_id, l.signature,"
        " l.department FROM lsh AS h JOIN letter AS l ON l.id = h.letter_id"
        " WHERE h.key = :key AND h.letter_id <> :letter",
    [ARC_ST_LETTERS_OF_WRITER] =
        "SELECT id, tracking_code, archived, writer_id, signature, department"
        " FROM letter WHERE writer_id = :writer AND id <> :letter",
    [ARC_ST_LINKS_CLEAR] = "DELETE FROM letter_link WHERE letter_id = :letter",
    [ARC_ST_LINKS_DROP] = "DELETE FROM letter_link WHERE letter_id = :letter"
                          " OR other_id = :letter",
    [ARC_ST_LINK_ADD] =
        "INSERT OR REPLACE INTO letter_link(letter_id, other_id, kind,"
        " similarity) VALUES(:letter, :other, :kind, :similarity)",
    [ARC_ST_REVIEW_OF_LETTER] =
        "SELECT r.seq, r.reason, r.created FROM review AS r, letter AS l"
        " WHERE l.id = :letter AND" REVIEW_OF_LETTER " ORDER BY r.seq",
};

int
arc_db_fail(struct arc *a, struct mr_err *err)
{
    if (a->db && (sqlite3_errcode(a->db) & 0xff) == SQLITE_BUSY &&
        mr_interrupted)
        return mr_fail(err, MR_EINTR, _("interrupted"));
    if (a->db && (sqlite3_errcode(a->db) & 0xff) == SQLITE_BUSY)
        return mr_fail(err, MR_EBUSY,
                       _("archive '%s' is busy: another mailroom has been "
                         "writing to it for 10 minutes; try again when it "
                         "is done"),
                       a->db_path);
    /*
     * "disk I/O error" says little: add what the system said.  SQLite
     * clears errno for SQLITE_FULL, which (no page limit being set) only
     * a full disk gives.
     */
    if (a->db) {
        int primary = sqlite3_errcode(a->db) & 0xff;
        int sys = primary == SQLITE_FULL ? ENOSPC : sqlite3_system_errno(a->db);

        if (sys && (primary == SQLITE_IOERR || primary == SQLITE_FULL ||
                    primary == SQLITE_CANTOPEN))
            return mr_fail(err, MR_EDB,
                           _("error in archive database '%s': %s (%s)"),
                           a->db_path, sqlite3_errmsg(a->db), strerror(sys));
    }
    return mr_fail(err, MR_EDB, _("error in archive database '%s': %s"),
                   a->db_path,
                   a->db ? sqlite3_errmsg(a->db) : _("out of memory"));
}

int
arc_exec(struct arc *a, const char *sql, struct mr_err *err)
{
    if (sqlite3_exec(a->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return arc_db_fail(a, err);
    return 0;
}

/* The index of parameter name in st, or MR_EDB if it has none (a bug). */
static int
param(sqlite3_stmt *st, const char *name, struct mr_err *err)
{
    int i = sqlite3_bind_parameter_index(st, name);

    if (MR_NEVER(i == 0))
        return mr_fail(err, MR_EDB, _("bug: statement has no parameter '%s'"),
                       name);
    return i;
}

int
arc_bind_text(struct arc *a, sqlite3_stmt *st, const char *name, const char *v,
              int len, struct mr_err *err)
{
    int i = param(st, name, err), rc;

    if (i < 0)
        return i;
    if (v)
        rc = sqlite3_bind_text(st, i, v, len, SQLITE_TRANSIENT);
    else
        rc = sqlite3_bind_null(st, i);
    return rc == SQLITE_OK ? 0 : arc_db_fail(a, err);
}

int
arc_bind_int(struct arc *a, sqlite3_stmt *st, const char *name, int64_t v,
             struct mr_err *err)
{
    int i = param(st, name, err);

    if (i < 0)
        return i;
    if (sqlite3_bind_int64(st, i, v) != SQLITE_OK)
        return arc_db_fail(a, err);
    return 0;
}

int
arc_bind_double(struct arc *a, sqlite3_stmt *st, const char *name, double v,
                struct mr_err *err)
{
    int i = param(st, name, err);

    if (i < 0)
        return i;
    if (sqlite3_bind_double(st, i, v) != SQLITE_OK)
        return arc_db_fail(a, err);
    return 0;
}

int
arc_bind_blob(struct arc *a, sqlite3_stmt *st, const char *name, const void *v,
              size_t n, struct mr_err *err)
{
    int i = param(st, name, err);

    if (i < 0)
        return i;
    if (n > INT32_MAX)
        return mr_fail(err, MR_EINVAL, _("value for '%s' is too large"), name);
    if (sqlite3_bind_blob(st, i, v, (int)n, SQLITE_TRANSIENT) != SQLITE_OK)
        return arc_db_fail(a, err);
    return 0;
}

int
arc_bind_null(struct arc *a, sqlite3_stmt *st, const char *name,
              struct mr_err *err)
{
    int i = param(st, name, err);

    if (i < 0)
        return i;
    if (sqlite3_bind_null(st, i) != SQLITE_OK)
        return arc_db_fail(a, err);
    return 0;
}

int
arc_step(struct arc *a, sqlite3_stmt *st, struct mr_err *err)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return arc_db_fail(a, err);
}

void
arc_stmt_done(sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int
arc_column_dup(sqlite3_stmt *st, int col, char **pout, struct mr_err *err)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);

    *pout = NULL;
    if (!s)
        return 0;
    *pout = malloc((size_t)n + 1);
    if (!*pout)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    memcpy(*pout, s, (size_t)n);
    (*pout)[n] = '\0';
    return 0;
}

/* Run a pragma or query returning one integer into *pv.  MR_EDB. */
static int
query_int(struct arc *a, const char *sql, int64_t *pv, struct mr_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *pv = 0;
    rc = sqlite3_prepare_v2(a->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *pv = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = arc_db_fail(a, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Switch to WAL; a file system without WAL support only gets a warning. */
static int
set_wal(struct arc *a, struct mr_err *err)
{
    sqlite3_stmt *st = NULL;
    const char *mode;
    int rc;

    rc = sqlite3_prepare_v2(a->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = arc_db_fail(a, err);
        goto out;
    }
    rc = 0;
    mode = (const char *)sqlite3_column_text(st, 0);
    if (!mode || strcasecmp(mode, "wal") != 0)
        mr_log(MR_LOG_WARN,
               _("'%s' cannot use WAL journal mode; "
                 "using '%s'"),
               a->db_path, mode ? mode : "?");
out:
    sqlite3_finalize(st);
    return rc;
}

/*
 * Another mailroom holds the archive's write lock (a stack being stored,
 * a reviewer's confirmation): wait for it, and after a second say so,
 * once a wait; give up after ARC_BUSY_WAIT_S or when interrupted (the
 * caller then says the archive is busy).
 */
static int
busy_wait(void *ctx, int count)
{
    struct arc *a = ctx;
    struct timespec now, nap = {0, 20 * 1000 * 1000};
    double waited;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0) {
        a->busy_since = now;
        a->busy_said = 0;
    }
    waited = (double)(now.tv_sec - a->busy_since.tv_sec) +
             (now.tv_nsec - a->busy_since.tv_nsec) / 1e9;
    if (mr_interrupted || waited >= ARC_BUSY_WAIT_S)
        return 0;
    if (waited >= 1.0 && !a->busy_said) {
        mr_log(MR_LOG_WARN,
               _("archive '%s' is in use by another mailroom: waiting for "
                 "it (Ctrl-C to stop)"),
               a->dir);
        a->busy_said = 1;
    }
    nanosleep(&nap, NULL);
    return 1;
}

/*
 * Open the connection, configure it and check that the file is ours and
 * not newer than this code.  Nothing is written before those checks.
 */
static int
db_open(struct arc *a, struct mr_err *err)
{
    int64_t app_id, version, objects;
    int rc, fd;

    /*
     * The index holds citizens' names, ID numbers and letters: made
     * readable by its owner only (SQLite gives its -wal and -shm files
     * the database's own permissions).
     */
    fd = open(a->db_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    rc = sqlite3_open_v2(a->db_path, &a->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = mr_fail(err, a->db ? MR_EDB : MR_ENOMEM, _("cannot open '%s': %s"),
                     a->db_path,
                     a->db ? sqlite3_errmsg(a->db) : _("out of memory"));
        goto out;
    }
    sqlite3_extended_result_codes(a->db, 1);
    if (sqlite3_busy_handler(a->db, busy_wait, a) != SQLITE_OK ||
        sqlite3_db_config(a->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) !=
            SQLITE_OK ||
        sqlite3_db_config(a->db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL) !=
            SQLITE_OK ||
        sqlite3_db_config(a->db, SQLITE_DBCONFIG_DQS_DML, 0, NULL) !=
            SQLITE_OK) {
        rc = arc_db_fail(a, err);
        goto out;
    }

    rc = query_int(a, "PRAGMA application_id", &app_id, err);
    if (!rc)
        rc = query_int(a, "PRAGMA user_version", &version, err);
    if (!rc)
        rc = query_int(a, "SELECT count(*) FROM sqlite_schema", &objects, err);
    if (rc)
        goto out;
    if (app_id != ARC_APPLICATION_ID &&
        (app_id != 0 || version != 0 || objects != 0)) {
        rc = mr_fail(err, MR_EDB,
                     _("'%s' is not a mailroom archive (application "
                       "id 0x%08llx)"),
                     a->db_path, (unsigned long long)(uint32_t)app_id);
        goto out;
    }
    if (version < 0) {
        rc = mr_fail(err, MR_EDB, _("'%s' is damaged: schema version %lld"),
                     a->db_path, (long long)version);
        goto out;
    }
    if (version > ARC_SCHEMA_VERSION) {
        rc = mr_fail(err, MR_EDB,
                     _("'%s' was written by a newer mailroom (schema "
                       "%lld, this one knows %d)"),
                     a->db_path, (long long)version, ARC_SCHEMA_VERSION);
        goto out;
    }

    rc = arc_exec(a, "PRAGMA foreign_keys=ON", err);
    if (!rc)
        rc = set_wal(a, err);
    if (!rc)
        rc = arc_exec(a, "PRAGMA synchronous=NORMAL", err);
out:
    return rc;
}

/*
 * Apply the pending migration steps, each in its own BEGIN IMMEDIATE
 * transaction.  The version is read again inside the transaction, so two
 * processes opening a new archive at once do not both migrate.
 */
static int
migrate(struct arc *a, struct mr_err *err)
{
    char sql[96];
    int64_t version;
    int rc = 0, in_txn = 0, n;

    /* Up to date: take no write lock, so readers open during an import. */
    rc = query_int(a, "PRAGMA user_version", &version, err);
    if (rc || version >= ARC_SCHEMA_VERSION)
        return rc;
    for (;;) {
        rc = arc_exec(a, "BEGIN IMMEDIATE", err);
        if (rc)
            goto out;
        in_txn = 1;
        rc = query_int(a, "PRAGMA user_version", &version, err);
        if (rc)
            goto out;
        if (version >= ARC_SCHEMA_VERSION)
            break;
        mr_log(MR_LOG_INFO, _("upgrading '%s' to schema %lld"), a->db_path,
               (long long)version + 1);
        n = snprintf(sql, sizeof(sql),
                     "PRAGMA user_version=%lld;"
                     "PRAGMA application_id=%ld;",
                     (long long)version + 1, (long)ARC_APPLICATION_ID);
        if (MR_NEVER(n < 0 || (size_t)n >= sizeof(sql))) {
            rc = mr_fail(err, MR_EDB, _("bug: pragma too long"));
            goto out;
        }
        rc = arc_exec(a, arc_migrations[version], err);
        if (!rc)
            rc = arc_exec(a, sql, err);
        if (!rc)
            rc = arc_exec(a, "COMMIT", err);
        if (rc)
            goto out;
        in_txn = 0;
    }
    rc = arc_exec(a, "COMMIT", err);
    if (!rc)
        in_txn = 0;
out:
    if (in_txn && !sqlite3_get_autocommit(a->db))
        sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int
prepare_all(struct arc *a, struct mr_err *err)
{
    for (int i = 0; i < ARC_ST_COUNT; i++) {
        if (sqlite3_prepare_v3(a->db, arc_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &a->st[i], NULL) != SQLITE_OK)
            return arc_db_fail(a, err);
    }
    return 0;
}

struct arc *
arc_open(const char *dir, struct mr_err *err)
{
    struct arc *a = NULL;
    int rc;

    if (MR_NEVER(!dir)) {
        mr_fail(err, MR_EINVAL, _("no archive directory given"));
        return NULL;
    }
    a = calloc(1, sizeof(*a));
    if (!a) {
        rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
        goto out;
    }
    a->takes_fd = -1;
    a->dir = mr_strdup(dir, err);
    if (!a->dir) {
        rc = MR_ENOMEM;
        goto out;
    }
    rc = arc_mkdir_p(dir, err);
    if (rc)
        goto out;
    a->db_path = arc_path_join(dir, "index.sqlite", err);
    if (!a->db_path) {
        rc = MR_ENOMEM;
        goto out;
    }
    rc = db_open(a, err);
    if (!rc)
        rc = migrate(a, err);
    if (!rc)
        rc = prepare_all(a, err);
out:
    if (rc)
        arc_close(&a);
    return a;
}

void
arc_close(struct arc **pa)
{
    struct arc *a;

    if (!pa || !*pa)
        return;
    a = *pa;
    arc_stack_abort(a);
    arc_stack_unclaim(a);
    arc_stack_takes_release(a);
    for (int i = 0; i < ARC_ST_COUNT; i++)
        sqlite3_finalize(a->st[i]);
    sqlite3_close(a->db);
    free(a->files);
    free(a->db_path);
    free(a->dir);
    free(a);
    *pa = NULL;
}

/* "pages/SSSSSS", the folder of the open stack's images, into buf. */
static int
stack_dir(const struct arc *a, char *buf, size_t size, struct mr_err *err)
{
    int n = snprintf(buf, size, "pages/%06lld", (long long)a->stack_id);

    if (MR_NEVER(n < 0 || (size_t)n >= size))
        return mr_fail(err, MR_EINVAL, _("bug: path buffer too small"));
    return 0;
}

/* Remove the files of the open stack and forget them.  Cannot fail. */
static void
remove_files(struct arc *a)
{
    char dir[32];
    char *path;

    for (size_t i = 0; i < a->nfiles; i++) {
        if (unlink(a->files[i]) && errno != ENOENT)
            mr_log(MR_LOG_WARN, _("cannot remove '%s': %s"), a->files[i],
                   strerror(errno));
        free(a->files[i]);
    }
    if (a->nfiles && !stack_dir(a, dir, sizeof(dir), NULL)) {
        path = arc_path_join(a->dir, dir, NULL);
        if (path)
            rmdir(path); /* only if empty; an error is harmless */
        free(path);
    }
    a->nfiles = 0;
}

/* Forget the files of the open stack without removing them. */
static void
forget_files(struct arc *a)
{
    for (size_t i = 0; i < a->nfiles; i++)
        free(a->files[i]);
    a->nfiles = 0;
}

/* Make room to remember one more file.  MR_ENOMEM. */
static int
files_reserve(struct arc *a, struct mr_err *err)
{
    size_t n;
    char **f;

    if (a->nfiles < a->afiles)
        return 0;
    n = a->afiles ? 2 * a->afiles : 16;
    f = realloc(a->files, n * sizeof(*f));
    if (!f)
        return mr_fail(err, MR_ENOMEM, _("out of memory"));
    a->files = f;
    a->afiles = n;
    return 0;
}

static int
files_have(const struct arc *a, const char *path)
{
    for (size_t i = 0; i < a->nfiles; i++)
        if (!strcmp(a->files[i], path))
            return 1;
    return 0;
}

int
arc_stack_alive(struct arc *a, struct mr_err *err)
{
    if (!sqlite3_get_autocommit(a->db))
        return 0;
    return mr_fail(err, MR_EDB,
                   _("error in archive database '%s': the stack was "
                     "rolled back after an earlier error"),
                   a->db_path);
}

void
arc_savepoint_undo(struct arc *a, const char *name)
{
    char sql[64];

    if (sqlite3_get_autocommit(a->db))
        return; /* SQLite already rolled back the whole stack */
    snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
    sqlite3_exec(a->db, sql, NULL, NULL, NULL);
}

/*
 * Begin a stack from source; with sha256, unless a stack already holds
 * that content (then *pexisting is its id, no stack is open, and 1 is
 * returned).
 */
static int
stack_begin(struct arc *a, const char *source, const char *sha256,
            int64_t *pexisting, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_STACK_INSERT] : NULL;
    sqlite3_stmt *find = a ? a->st[ARC_ST_STACK_BY_SHA256] : NULL;
    struct mr_err why = MR_ERR_INIT;
    int rc, in_txn = 0;

    if (pexisting)
        *pexisting = 0;
    if (MR_NEVER(!a || !source))
        return mr_fail(err, MR_EINVAL, _("no stack source given"));
    if (a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot begin stack '%s': a stack is "
                         "already open"),
                       source);
    if (arc_now_utc(a->stack_time, err))
        return err->code;

    rc = arc_exec(a, "BEGIN IMMEDIATE", err);
    if (rc)
        goto out;
    in_txn = 1;
    if (sha256) {
        rc = arc_bind_text(a, find, ":sha256", sha256, -1, err);
        if (!rc)
            rc = arc_step(a, find, err);
        if (rc == 1 && pexisting)
            *pexisting = sqlite3_column_int64(find, 0);
        arc_stmt_done(find);
        if (rc)
            goto out; /* 1: found, and rolled back below */
    }
    rc = arc_bind_text(a, st, ":source", source, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":archived", a->stack_time, -1, err);
    if (!rc)
        rc = sha256 ? arc_bind_text(a, st, ":sha256", sha256, -1, err)
                    : arc_bind_null(a, st, ":sha256", err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (rc)
        goto out;
    a->stack_id = sqlite3_last_insert_rowid(a->db);
    a->in_stack = 1;
    /*
     * Its id is new, so whatever its folder holds was left by a run cut
     * off before its commit; no other mailroom writes while this one
     * holds the write lock.  What cannot be removed is said and left.
     */
    if (arc_stack_sweep(a, &why))
        mr_log(MR_LOG_WARN, "%s", why.msg);
out:
    arc_stmt_done(st);
    if (rc && in_txn && !sqlite3_get_autocommit(a->db))
        sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int
arc_stack_begin(struct arc *a, const char *source, struct mr_err *err)
{
    return stack_begin(a, source, NULL, NULL, err);
}

int
arc_stack_begin_file(struct arc *a, const char *source, const char *sha256,
                     int64_t *pexisting, struct mr_err *err)
{
    if (MR_NEVER(!sha256 || !pexisting))
        return mr_fail(err, MR_EINVAL, _("no file content given"));
    return stack_begin(a, source, sha256, pexisting, err);
}

int
arc_stack_commit(struct arc *a, struct mr_err *err)
{
    int rc;

    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL, _("cannot commit: no stack is open"));
    rc = arc_exec(a, "COMMIT", err);
    if (rc) {
        arc_stack_abort(a);
        return rc;
    }
    forget_files(a);
    a->in_stack = 0;
    a->stack_id = 0;
    return 0;
}

void
arc_stack_abort(struct arc *a)
{
    if (!a || !a->in_stack)
        return;
    if (!sqlite3_get_autocommit(a->db))
        sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
    remove_files(a);
    a->in_stack = 0;
    a->stack_id = 0;
}

/* Bind a fixed-size string field of the page record; "" becomes NULL. */
static int
bind_field(struct arc *a, sqlite3_stmt *st, const char *name, const char *v,
           size_t size, struct mr_err *err)
{
    size_t n = strnlen(v, size);

    return arc_bind_text(a, st, name, n ? v : NULL, (int)n, err);
}

/* page.processed: 0 stored as delivered, 1 read, 2 reading deferred. */
static int
processed_value(unsigned flags)
{
    if (flags & MR_PAGE_DEFERRED)
        return 2;
    return (flags & MR_PAGE_PENDING) ? 0 : 1;
}

/*
 * Bind what cleaning and OCR found on page (the :blank, :rotation, :skew,
 * :text, :conf, :language, :script, :codes and :role parameters of st).
 */
static int
bind_results(struct arc *a, sqlite3_stmt *st, const struct mr_page *page,
             struct mr_err *err)
{
    int rc =
        arc_bind_int(a, st, ":blank", (page->flags & MR_PAGE_BLANK) != 0, err);

    if (!rc)
        rc = arc_bind_int(a, st, ":rotation", page->rotation, err);
    if (!rc)
        rc = arc_bind_double(a, st, ":skew", page->skew, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":text", page->text, -1, err);
    if (!rc)
        rc = page->ocr_conf >= 0
                 ? arc_bind_int(a, st, ":conf", page->ocr_conf, err)
                 : arc_bind_null(a, st, ":conf", err);
    if (!rc)
        rc = bind_field(a, st, ":language", page->language,
                        sizeof(page->language), err);
    if (!rc)
        rc = bind_field(a, st, ":script", page->script, sizeof(page->script),
                        err);
    if (!rc)
        rc = arc_bind_text(a, st, ":codes", page->codes, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":role",
                           page->flags & MR_PAGE_SEPARATOR ? "separator"
                           : page->flags & MR_PAGE_UNSURE  ? "unsure"
                                                           : NULL,
                           -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":processed", processed_value(page->flags),
                          err);
    return rc;
}

/* 1 if the open stack has page seq, 0 if not, MR_EDB on failure. */
static int
page_exists(struct arc *a, int seq, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_PAGE_EXISTS];
    int rc = arc_bind_int(a, st, ":stack", a->stack_id, err);

    if (!rc)
        rc = arc_bind_int(a, st, ":seq", seq, err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (rc == 1)
        rc = sqlite3_column_int64(st, 0) > 0;
    arc_stmt_done(st);
    return rc;
}

static int
insert_page(struct arc *a, const struct mr_page *page, struct Pix *pix,
            const char *rel, const char *format, const char *sha, int64_t *pid,
            struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_PAGE_INSERT];
    /* As mr_page has it: 0 when unknown. */
    int dpi = page->dpi > 0 ? page->dpi : pixGetXRes(pix);
    int rc;

    *pid = 0;
    rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":seq", page->seq, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":path", rel, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":format", format, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":sha256", sha, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":width", pixGetWidth(pix), err);
    if (!rc)
        rc = arc_bind_int(a, st, ":height", pixGetHeight(pix), err);
    if (!rc)
        rc = arc_bind_int(a, st, ":depth", pixGetDepth(pix), err);
    if (!rc)
        rc = arc_bind_int(a, st, ":dpi", dpi > 0 ? dpi : 0, err);
    if (!rc)
        rc = bind_results(a, st, page, err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (!rc)
        *pid = sqlite3_last_insert_rowid(a->db);
    arc_stmt_done(st);
    return rc;
}

static int
insert_words(struct arc *a, int64_t page_id, const struct mr_page *page,
             struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_WORD_INSERT];
    int rc = 0;

    for (size_t i = 0; i < page->nwords && !rc; i++) {
        const struct mr_word *w = &page->words[i];

        rc = arc_bind_int(a, st, ":page", page_id, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":n", (int64_t)i + 1, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":x", w->x, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":y", w->y, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":w", w->w, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":h", w->h, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":conf", w->conf, err);
        if (!rc)
            rc = arc_bind_text(a, st, ":text", w->text ? w->text : "", -1, err);
        if (!rc)
            rc = arc_step(a, st, err);
        arc_stmt_done(st);
    }
    return rc;
}

int
arc_page_add(struct arc *a, const struct mr_page *page, struct Pix *pix,
             const struct arc_image *as_delivered, int64_t *ppage_id,
             struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_STACK_COUNT] : NULL;
    unsigned char *encoded = NULL;
    const unsigned char *data = NULL;
    size_t size = 0;
    const char *format, *ext;
    char sha[65], dir[32], rel[64];
    char *path = NULL, *dirpath = NULL;
    int64_t id = 0;
    int rc, n, saved = 0, written = 0;

    if (ppage_id)
        *ppage_id = 0;
    if (MR_NEVER(!a || !page || !pix))
        return mr_fail(err, MR_EINVAL, _("no page given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot add page %d: no stack is open"), page->seq);
    if (page->seq < 1)
        return mr_fail(err, MR_EINVAL,
                       _("cannot add page %d: pages are numbered "
                         "from 1"),
                       page->seq);

    if (as_delivered) {
        rc = arc_image_delivered(as_delivered, pix, page->seq, &format, &ext,
                                 err);
        data = as_delivered->data;
        size = as_delivered->size;
    } else {
        rc = arc_image_encode(pix, &encoded, &size, &format, &ext, err);
        data = encoded;
    }
    if (!rc)
        rc = arc_sha256_hex(data, size, sha, err);
    if (!rc)
        rc = stack_dir(a, dir, sizeof(dir), err);
    if (rc)
        goto out;
    n = snprintf(rel, sizeof(rel), "%s/%04d.%s", dir, page->seq, ext);
    if (MR_NEVER(n < 0 || (size_t)n >= sizeof(rel))) {
        rc = mr_fail(err, MR_EINVAL, _("bug: path buffer too small"));
        goto out;
    }
    path = arc_path_join(a->dir, rel, err);
    dirpath = arc_path_join(a->dir, dir, err);
    if (!path || !dirpath) {
        rc = MR_ENOMEM;
        goto out;
    }
    /* Never overwrite a page of this stack, not even for a moment. */
    rc = page_exists(a, page->seq, err);
    if (rc < 0)
        goto out;
    if (rc || files_have(a, path)) {
        rc = mr_fail(err, MR_EINVAL,
                     _("cannot add page %d: the stack already has "
                       "it"),
                     page->seq);
        goto out;
    }
    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = files_reserve(a, err);
    if (!rc)
        rc = arc_mkdir_p(dirpath, err);
    if (!rc)
        rc = arc_exec(a, "SAVEPOINT arc_page", err);
    if (rc)
        goto out;
    saved = 1;
    rc = arc_write_atomic(path, data, size, err);
    if (rc)
        goto out;
    written = 1;
    rc = insert_page(a, page, pix, rel, format, sha, &id, err);
    if (!rc)
        rc = insert_words(a, id, page, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    if (!rc)
        rc = arc_exec(a, "RELEASE arc_page", err);
    if (rc)
        goto out;
    a->files[a->nfiles++] = path;
    path = NULL;
    if (ppage_id)
        *ppage_id = id;
out:
    if (rc && saved)
        arc_savepoint_undo(a, "arc_page");
    if (rc && written)
        unlink(path);
    lept_free(encoded);
    free(dirpath);
    free(path);
    return rc;
}

/* Draws codes until one is new to the letters and the retired codes. */
int
arc_letter_insert(struct arc *a, int first_seq, int count, const char *language,
                  char *code, int64_t *pid, struct mr_err *err)
{
    sqlite3_stmt *st = a->st[ARC_ST_LETTER_INSERT];
    int rc = 0;

    *pid = 0;
    for (int tries = 1;; tries++) {
        rc = arc_code_new(code, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
        if (!rc)
            rc = arc_bind_text(a, st, ":code", code, -1, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":first", first_seq, err);
        if (!rc)
            rc = arc_bind_int(a, st, ":count", count, err);
        if (!rc)
            rc =
                arc_bind_text(a, st, ":language",
                              language && *language ? language : NULL, -1, err);
        if (!rc)
            rc = arc_bind_text(a, st, ":archived", a->stack_time, -1, err);
        if (rc)
            break;
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE && sqlite3_changes(a->db) == 1) {
            rc = 0;
            *pid = sqlite3_last_insert_rowid(a->db);
            break;
        }
        if ((rc == SQLITE_DONE ||
             sqlite3_extended_errcode(a->db) == SQLITE_CONSTRAINT_UNIQUE) &&
            tries < 8) {
            mr_log(MR_LOG_DEBUG, "tracking code %s exists, drawing another",
                   code);
            arc_stmt_done(st);
            continue;
        }
        rc = arc_db_fail(a, err);
        break;
    }
    arc_stmt_done(st);
    if (rc)
        code[0] = '\0';
    return rc;
}

int
arc_letter_add(struct arc *a, int first_seq, int count, const char *language,
               char *code, struct mr_err *err)
{
    sqlite3_stmt *free_st = a ? a->st[ARC_ST_PAGE_FREE] : NULL;
    sqlite3_stmt *set_st = a ? a->st[ARC_ST_LETTER_PAGES_SET] : NULL;
    char buf[ARC_CODE_SIZE];
    int64_t last, letter_id = 0;
    int rc, saved = 0;

    if (code)
        code[0] = '\0';
    if (MR_NEVER(!a || !code))
        return mr_fail(err, MR_EINVAL, _("no letter given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot add a letter: no stack is open"));
    if (first_seq < 1 || count < 1)
        return mr_fail(err, MR_EINVAL,
                       _("cannot add a letter of %d pages from page "
                         "%d"),
                       count, first_seq);
    last = (int64_t)first_seq + count - 1;

    /* Every page must be in this stack and in no letter yet. */
    rc = arc_bind_int(a, free_st, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_bind_int(a, free_st, ":first", first_seq, err);
    if (!rc)
        rc = arc_bind_int(a, free_st, ":last", last, err);
    if (!rc)
        rc = arc_step(a, free_st, err);
    if (rc < 0)
        goto out;
    if (rc == 0 || sqlite3_column_int64(free_st, 0) != count) {
        rc = mr_fail(err, MR_EINVAL,
                     _("cannot make pages %d to %lld one letter: not "
                       "all are in the stack, or some are in a "
                       "letter already"),
                     first_seq, (long long)last);
        goto out;
    }
    arc_stmt_done(free_st);

    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_exec(a, "SAVEPOINT arc_letter", err);
    if (rc)
        goto out;
    saved = 1;
    rc = arc_letter_insert(a, first_seq, count, language, buf, &letter_id, err);
    if (!rc)
        rc = arc_bind_int(a, set_st, ":letter", letter_id, err);
    if (!rc)
        rc = arc_bind_int(a, set_st, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_bind_int(a, set_st, ":first", first_seq, err);
    if (!rc)
        rc = arc_bind_int(a, set_st, ":last", last, err);
    if (!rc)
        rc = arc_step(a, set_st, err);
    if (!rc && MR_NEVER(sqlite3_changes(a->db) != count))
        rc = mr_fail(err, MR_EDB, _("bug: letter %lld got %d of its %d pages"),
                     (long long)letter_id, sqlite3_changes(a->db), count);
    if (!rc)
        rc = arc_exec(a, "RELEASE arc_letter", err);
    if (!rc)
        snprintf(code, ARC_CODE_SIZE, "%s", buf);
out:
    arc_stmt_done(free_st);
    arc_stmt_done(set_st);
    if (rc && saved)
        arc_savepoint_undo(a, "arc_letter");
    return rc;
}

int
arc_review_add(struct arc *a, const char *kind, int seq, const char *reason,
               struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_REVIEW_INSERT] : NULL;
    char at[MR_TIME_SIZE];
    int rc;

    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot queue a review: no stack is open"));
    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_now_utc(at, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":at", at, -1, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":kind", kind, -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":seq", seq, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":reason", reason, -1, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    return rc;
}

int
arc_stack_resume(struct arc *a, int64_t stack_id, int *pscanning,
                 struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_STACK_GET] : NULL;
    int rc, in_txn = 0, scanning;

    if (pscanning)
        *pscanning = 0;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot resume stack %lld: a stack is already open"),
                       (long long)stack_id);
    rc = arc_exec(a, "BEGIN IMMEDIATE", err);
    if (rc)
        goto out;
    in_txn = 1;
    rc = arc_bind_int(a, st, ":stack", stack_id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (rc < 0)
        goto out;
    if (rc == 0) {
        rc = mr_fail(err, MR_ENOTFOUND, _("no stack %lld in the archive"),
                     (long long)stack_id);
        goto out;
    }
    snprintf(a->stack_time, sizeof(a->stack_time), "%s",
             (const char *)sqlite3_column_text(st, 0));
    scanning = !strcmp((const char *)sqlite3_column_text(st, 1), "scanning");
    rc = 0;
    a->stack_id = stack_id;
    a->in_stack = 1;
    /* A scan cut off may have left a page's file without its row. */
    if (scanning)
        rc = arc_stack_sweep(a, err);
    if (rc) {
        a->in_stack = 0;
        a->stack_id = 0;
    } else if (pscanning) {
        *pscanning = scanning;
    }
out:
    arc_stmt_done(st);
    if (rc && in_txn && !sqlite3_get_autocommit(a->db))
        sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int64_t
arc_stack_current(const struct arc *a)
{
    return a && a->in_stack ? a->stack_id : 0;
}

int
arc_stack_set_scanning(struct arc *a, int scanning, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_STACK_STATE] : NULL;
    int rc;

    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL, _("no stack is open"));
    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_bind_text(a, st, ":state", scanning ? "scanning" : "complete",
                           -1, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
    if (!rc)
        rc = arc_step(a, st, err);
    arc_stmt_done(st);
    return rc;
}

/* The MR_PAGE_ flags of a row of ARC_ST_STACK_PAGES. */
static unsigned
stack_page_flags(sqlite3_stmt *st)
{
    const char *role = (const char *)sqlite3_column_text(st, 4);
    int processed = sqlite3_column_int(st, 2);
    unsigned flags = processed == 1   ? 0
                     : processed == 2 ? MR_PAGE_PENDING | MR_PAGE_DEFERRED
                                      : MR_PAGE_PENDING;

    if (sqlite3_column_int(st, 3))
        flags |= MR_PAGE_BLANK;
    if (role && !strcmp(role, "separator"))
        flags |= MR_PAGE_SEPARATOR;
    else if (role && !strcmp(role, "unsure"))
        flags |= MR_PAGE_UNSURE;
    return flags;
}

void
arc_stack_pages_free(struct arc_stack_page **ppages, size_t n)
{
    if (!ppages || !*ppages)
        return;
    for (size_t i = 0; i < n; i++)
        free((*ppages)[i].text);
    free(*ppages);
    *ppages = NULL;
}

int
arc_stack_pages(struct arc *a, int64_t stack_id, struct arc_stack_page **ppages,
                size_t *pn, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_STACK_PAGES] : NULL;
    struct arc_stack_page *pages = NULL, *grown;
    size_t n = 0, cap = 0;
    int rc;

    *ppages = NULL;
    *pn = 0;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = arc_bind_int(a, st, ":stack", stack_id, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            grown = realloc(pages, cap * sizeof(*pages));
            if (!grown) {
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
                break;
            }
            pages = grown;
        }
        pages[n].id = sqlite3_column_int64(st, 0);
        pages[n].seq = sqlite3_column_int(st, 1);
        pages[n].processed = sqlite3_column_int(st, 2) == 1;
        pages[n].flags = stack_page_flags(st);
        pages[n].letter_id = sqlite3_column_int64(st, 6);
        rc = arc_column_dup(st, 5, &pages[n].text, err);
        if (rc)
            break;
        n++;
    }
    arc_stmt_done(st);
    if (rc) {
        arc_stack_pages_free(&pages, n);
        return rc;
    }
    *ppages = pages;
    *pn = n;
    return 0;
}

int
arc_ids_collect(struct arc *a, sqlite3_stmt *st, int64_t **pids, size_t *pn,
                struct mr_err *err)
{
    int64_t *ids = NULL, *grown;
    size_t n = 0, cap = 0;
    int rc;

    *pids = NULL;
    *pn = 0;
    while ((rc = arc_step(a, st, err)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            grown = realloc(ids, cap * sizeof(*ids));
            if (!grown) {
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
                break;
            }
            ids = grown;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    if (rc) {
        free(ids);
        return rc;
    }
    *pids = ids;
    *pn = n;
    return 0;
}

int
arc_stacks_todo(struct arc *a, int64_t **pids, size_t *pn, struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_STACKS_UNFINISHED] : NULL;
    int rc;

    *pids = NULL;
    *pn = 0;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = arc_ids_collect(a, st, pids, pn, err);
    arc_stmt_done(st);
    return rc;
}

int
arc_letters_unread(struct arc *a, int64_t stack_id,
                   char (**pcodes)[ARC_CODE_SIZE], size_t *pn,
                   struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_LETTERS_UNREAD] : NULL;
    char(*codes)[ARC_CODE_SIZE] = NULL, (*grown)[ARC_CODE_SIZE];
    size_t n = 0, cap = 0;
    int rc;

    *pcodes = NULL;
    *pn = 0;
    if (MR_NEVER(!a))
        return mr_fail(err, MR_EINVAL, _("no archive given"));
    rc = arc_bind_int(a, st, ":stack", stack_id, err);
    while (!rc && (rc = arc_step(a, st, err)) == 1) {
        const char *code = (const char *)sqlite3_column_text(st, 0);

        rc = 0;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            grown = realloc(codes, cap * sizeof(*codes));
            if (!grown) {
                rc = mr_fail(err, MR_ENOMEM, _("out of memory"));
                break;
            }
            codes = grown;
        }
        snprintf(codes[n++], ARC_CODE_SIZE, "%s", code ? code : "");
    }
    arc_stmt_done(st);
    if (rc) {
        free(codes);
        return rc;
    }
    *pcodes = codes;
    *pn = n;
    return 0;
}

int
arc_page_set_results(struct arc *a, int64_t page_id, const struct mr_page *page,
                     struct mr_err *err)
{
    sqlite3_stmt *st = a ? a->st[ARC_ST_PAGE_RESULTS] : NULL;
    sqlite3_stmt *del = a ? a->st[ARC_ST_WORD_DELETE] : NULL;
    int rc, saved = 0;

    if (MR_NEVER(!a || !page))
        return mr_fail(err, MR_EINVAL, _("no page given"));
    if (!a->in_stack)
        return mr_fail(err, MR_EINVAL,
                       _("cannot update page %lld: no stack is open"),
                       (long long)page_id);
    rc = arc_stack_alive(a, err);
    if (!rc)
        rc = arc_exec(a, "SAVEPOINT arc_results", err);
    if (rc)
        return rc;
    saved = 1;
    rc = arc_bind_int(a, st, ":page", page_id, err);
    if (!rc)
        rc = arc_bind_int(a, st, ":stack", a->stack_id, err);
    if (!rc)
        rc = bind_results(a, st, page, err);
    if (!rc)
        rc = arc_step(a, st, err);
    if (!rc && sqlite3_changes(a->db) != 1)
        rc = mr_fail(err, MR_ENOTFOUND, _("no page %lld in the open stack"),
                     (long long)page_id);
    arc_stmt_done(st);
    if (!rc)
        rc = arc_bind_int(a, del, ":page", page_id, err);
    if (!rc)
        rc = arc_step(a, del, err);
    arc_stmt_done(del);
    if (!rc)
        rc = insert_words(a, page_id, page, err);
    if (!rc)
        rc = arc_exec(a, "RELEASE arc_results", err);
    if (rc && saved)
        arc_savepoint_undo(a, "arc_results");
    return rc;
}

const char *
arc_dir(const struct arc *a)
{
    return a ? a->dir : NULL;
}
