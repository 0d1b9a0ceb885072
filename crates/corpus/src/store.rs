//! The SQLite store: schema migrations and upserts.

use crate::Result;
use rusqlite::{params, Connection};
use std::path::Path;

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: articles, analyses, entities, quotations.
    "CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        date_raw TEXT,
        date TEXT,
        day INTEGER,
        source TEXT,
        url TEXT,
        hash INTEGER NOT NULL,
        indexed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S', 'now'))
    );
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_day ON articles(day);
    CREATE TABLE analyses (
        article_id TEXT PRIMARY KEY,
        json TEXT NOT NULL
    );
    CREATE TABLE entities (
        article_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        text TEXT NOT NULL,
        label TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        PRIMARY KEY (article_id, idx)
    );
    CREATE INDEX entities_label_text ON entities(label, text);
    CREATE TABLE quotes (
        article_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL,
        cue TEXT NOT NULL,
        content TEXT NOT NULL,
        speaker TEXT NOT NULL,
        speaker_entity INTEGER,
        PRIMARY KEY (article_id, idx)
    );
    CREATE INDEX quotes_speaker ON quotes(speaker);",
    // 2: settings the index depends on (the analyzer version).
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 3: entities across articles (see `linking`): each mention's corpus entity, the
    // entities with their spellings, quotation speakers and the entities quotations mention.
    "ALTER TABLE entities ADD COLUMN entity_id INTEGER;
    CREATE INDEX entities_entity ON entities(entity_id, article_id);
    ALTER TABLE quotes ADD COLUMN speaker_id INTEGER;
    CREATE INDEX quotes_speaker_id ON quotes(speaker_id);
    CREATE TABLE quote_about (
        entity_id INTEGER NOT NULL,
        article_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        PRIMARY KEY (entity_id, article_id, idx)
    ) WITHOUT ROWID;
    CREATE INDEX quote_about_article ON quote_about(article_id);
    CREATE TABLE corpus_entities (
        id INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        first TEXT,
        last TEXT
    );
    CREATE INDEX corpus_entities_articles ON corpus_entities(articles DESC, id);
    CREATE INDEX corpus_entities_key ON corpus_entities(key);
    CREATE TABLE entity_variants (
        entity_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        folded TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (entity_id, text)
    ) WITHOUT ROWID;
    CREATE INDEX entity_variants_folded ON entity_variants(folded);",
    // 4: stories (see `stories`): each article's story features, and the stories and
    // near-duplicate groups computed from them after each indexing run.
    "CREATE TABLE story_features (
        article_id TEXT PRIMARY KEY,
        data BLOB NOT NULL
    );
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        central TEXT NOT NULL,
        size INTEGER NOT NULL,
        first TEXT,
        last TEXT,
        sources TEXT NOT NULL,
        keywords TEXT NOT NULL,
        summary TEXT NOT NULL,
        entities TEXT NOT NULL
    );
    CREATE INDEX stories_first ON stories(first);
    CREATE TABLE story_articles (
        article_id TEXT PRIMARY KEY,
        story_id INTEGER NOT NULL
    );
    CREATE INDEX story_articles_story ON story_articles(story_id);
    CREATE TABLE duplicates (
        group_id INTEGER NOT NULL,
        article_id TEXT NOT NULL,
        similarity REAL NOT NULL,
        PRIMARY KEY (group_id, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX duplicates_article ON duplicates(article_id);",
];

/// Opens (creating if needed) and migrates the store.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    let db = Connection::open(path)?;
    // The busy timeout first: switching to WAL takes a lock, and a second process opening
    // the store at that moment (`khabar search` while `khabar index` starts) must wait,
    // not fail with "database is locked".
    db.busy_timeout(std::time::Duration::from_secs(30))?;
    // WAL: readers never block the indexer, and a killed process loses only the open
    // transaction.
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&db)?;
    ensure_entity_index(&db)?;
    Ok(db)
}

/// The index of mentions by corpus entity. A first indexing run into an empty store drops
/// it and builds it once at the end (much cheaper than keeping it sorted while 600,000
/// mentions arrive in article order); a run killed before the end leaves it missing, and
/// the next open builds it.
pub(crate) fn ensure_entity_index(db: &Connection) -> Result<()> {
    let exists: bool = db.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'entities_entity'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !exists {
        db.execute_batch(
            "CREATE INDEX IF NOT EXISTS entities_entity ON entities(entity_id, article_id)",
        )?;
    }
    Ok(())
}

fn migrate(db: &Connection) -> Result<()> {
    // The version is read inside a write transaction (IMMEDIATE takes the lock, waiting up
    // to the busy timeout): two processes opening a new store at the same moment must not
    // both run a migration ("table articles already exists", seen in the crash test).
    // Up to date (the usual case): no lock taken, readers never wait on the indexer.
    let current: usize = db.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current == MIGRATIONS.len() {
        return Ok(());
    }
    db.execute_batch("BEGIN IMMEDIATE")?;
    let run = || -> Result<()> {
        let version: usize =
            db.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        if version > MIGRATIONS.len() {
            return Err(crate::Error::Corpus(format!(
                "store schema version {version} is newer than this khabar ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            db.execute_batch(sql)?;
            db.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => {
            db.execute_batch("COMMIT")?;
            Ok(())
        }
        Err(e) => {
            let _ = db.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Records the analyzer version in a new store, or checks it in an existing one.
pub(crate) fn check_analyzer(db: &Connection) -> Result<()> {
    use rusqlite::OptionalExtension;
    let current = crate::analyzer::ANALYZER_VERSION;
    let stored: Option<String> = db
        .query_row("SELECT value FROM meta WHERE key = 'analyzer'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match stored {
        Some(v) if v != current => Err(analyzer_mismatch(&v, current)),
        Some(_) => Ok(()),
        None => {
            let articles: i64 = db.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?;
            if articles > 0 {
                return Err(crate::Error::Corpus(format!(
                    "this corpus was indexed with an older analyzer, this khabar uses \
                     {current:?}: index into a new directory"
                )));
            }
            record_analyzer(db, current)
        }
    }
}

/// Writes the analyzer version into a new store's `meta`. Another process opening the
/// same new store may have written it since it was read (both saw none): the row is
/// then kept and must name the same version.
fn record_analyzer(db: &Connection, current: &str) -> Result<()> {
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('analyzer', ?1) ON CONFLICT(key) DO NOTHING",
        [current],
    )?;
    let stored: String =
        db.query_row("SELECT value FROM meta WHERE key = 'analyzer'", [], |r| {
            r.get(0)
        })?;
    if stored != current {
        return Err(analyzer_mismatch(&stored, current));
    }
    Ok(())
}

/// The error for a store whose recorded analyzer version is not this khabar's.
fn analyzer_mismatch(stored: &str, current: &str) -> crate::Error {
    crate::Error::Corpus(format!(
        "this corpus was indexed with analyzer {stored:?}, this khabar uses {current:?}: \
         index into a new directory"
    ))
}

/// The schema version this code writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// One article ready to be stored.
pub(crate) struct StoredArticle<'a> {
    pub article: &'a khabar_ingest::Article,
    pub date: Option<&'a str>,
    pub day: Option<i64>,
    pub hash: u64,
    pub json: &'a str,
    pub entities: &'a [khabar_analysis::Entity],
    pub quotes: &'a [khabar_analysis::Quote],
    pub links: &'a crate::linking::ArticleLinks,
    /// Story features ([`khabar_stories::Features::to_bytes`]); none: computed later.
    pub features: Option<&'a [u8]>,
}

/// Inserts or replaces an article with its analysis, entities and quotations (inside the
/// caller's transaction).
pub(crate) fn upsert(db: &Connection, s: &StoredArticle<'_>) -> Result<()> {
    let a = s.article;
    db.prepare_cached(
        "INSERT INTO articles (id, title, body, date_raw, date, day, source, url, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET title = excluded.title, body = excluded.body,
           date_raw = excluded.date_raw, date = excluded.date, day = excluded.day,
           source = excluded.source, url = excluded.url, hash = excluded.hash,
           indexed_at = excluded.indexed_at",
    )?
    .execute(params![
        a.id,
        a.title,
        a.body,
        a.date,
        s.date,
        s.day,
        a.source,
        a.url,
        s.hash as i64
    ])?;
    db.prepare_cached(
        "INSERT INTO analyses (article_id, json) VALUES (?1, ?2)
         ON CONFLICT(article_id) DO UPDATE SET json = excluded.json",
    )?
    .execute(params![a.id, s.json])?;
    match s.features {
        Some(f) => db
            .prepare_cached(
                "INSERT INTO story_features (article_id, data) VALUES (?1, ?2)
                 ON CONFLICT(article_id) DO UPDATE SET data = excluded.data",
            )?
            .execute(params![a.id, f])?,
        // stale features of an older version must not outlive the article's text
        None => db
            .prepare_cached("DELETE FROM story_features WHERE article_id = ?1")?
            .execute([&a.id])?,
    };
    db.prepare_cached("DELETE FROM entities WHERE article_id = ?1")?
        .execute([&a.id])?;
    db.prepare_cached("DELETE FROM quotes WHERE article_id = ?1")?
        .execute([&a.id])?;
    {
        let mut st = db.prepare_cached(
            "INSERT INTO entities (article_id, idx, text, label, start, end, entity_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (i, e) in s.entities.iter().enumerate() {
            // unlinked (linking off): NULL, linked by the next run's backfill
            let id: Option<i64> = s
                .links
                .entities
                .get(i)
                .map(|id| crate::linking::stored_entity_id(*id));
            st.execute(params![
                a.id,
                i as i64,
                e.text,
                e.label,
                e.start as i64,
                e.end as i64,
                id
            ])?;
        }
    }
    {
        let mut st = db.prepare_cached(
            "INSERT INTO quotes (article_id, idx, kind, cue, content, speaker, speaker_entity,
               speaker_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (i, q) in s.quotes.iter().enumerate() {
            let kind = match q.kind {
                khabar_analysis::QuoteKind::Direct => "direct",
                khabar_analysis::QuoteKind::Indirect => "indirect",
            };
            st.execute(params![
                a.id,
                i as i64,
                kind,
                q.cue.text,
                q.content.text,
                q.speaker.text,
                q.speaker.entity.map(|e| e as i64),
                s.links.speakers.get(i).copied().flatten().map(|x| x as i64)
            ])?;
        }
    }
    db.prepare_cached("DELETE FROM quote_about WHERE article_id = ?1")?
        .execute([&a.id])?;
    crate::linking::insert_quote_about(db, &a.id, &s.links.about)
}

/// The content hash of every stored article, for skipping unchanged ones on re-runs.
pub(crate) fn hashes(db: &Connection) -> Result<rustc_hash::FxHashMap<String, u64>> {
    let mut st = db.prepare("SELECT id, hash FROM articles")?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    let mut out = rustc_hash::FxHashMap::default();
    for row in rows {
        let (id, h) = row?;
        out.insert(id, h);
    }
    Ok(out)
}

/// FNV-1a over the article's fields: stable across builds and platforms.
pub(crate) fn content_hash(a: &khabar_ingest::Article) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let fields = [
        Some(a.title.as_str()),
        Some(a.body.as_str()),
        a.date.as_deref(),
        a.source.as_deref(),
        a.url.as_deref(),
    ];
    for f in fields {
        for &b in f.unwrap_or("\u{0}none").as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyzer_version_written_by_another_process_is_accepted_or_refused() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
            .unwrap();
        // Both processes saw no version; the second to write finds the first's row.
        record_analyzer(&db, "v1").unwrap();
        record_analyzer(&db, "v1").unwrap();
        let n: i64 = db
            .query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        let err = record_analyzer(&db, "v2").unwrap_err().to_string();
        assert!(err.contains("\"v1\"") && err.contains("\"v2\""), "{err}");
    }
}
