//! The corpus directory: SQLite store plus tantivy index, and the index schema.

use crate::analyzer::{self, TOKENIZER};
use crate::{store, Error, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STORED,
    STRING,
};
use tantivy::Index;

/// File name of the SQLite store inside a corpus directory.
pub const DB_FILE: &str = "khabar.sqlite";
/// Directory of the tantivy index inside a corpus directory.
pub const INDEX_DIR: &str = "tantivy";

/// The fields of the full-text index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub body: Field,
    /// The opening of the body ([`crate::ranking::lead`]), for ranking.
    pub lead: Field,
    pub source: Field,
    pub source_key: Field,
    pub date: Field,
    pub day: Field,
    pub entities: Field,
    pub speakers: Field,
}

impl Fields {
    pub(crate) fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = |stored: bool| {
            let idx = TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let o = TextOptions::default().set_indexing_options(idx);
            if stored {
                o.set_stored()
            } else {
                o
            }
        };
        // Ranking only: frequencies, no positions, not stored.
        let lead = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id: b.add_text_field("id", STRING | STORED),
            title: b.add_text_field("title", text(true)),
            body: b.add_text_field("body", text(true)),
            lead: b.add_text_field("lead", lead),
            source: b.add_text_field("source", STORED),
            source_key: b.add_text_field("source_key", STRING),
            date: b.add_text_field("date", STORED),
            day: b.add_i64_field("day", NumericOptions::default().set_indexed().set_fast()),
            entities: b.add_text_field("entities", text(false)),
            speakers: b.add_text_field("speakers", text(false)),
        };
        (b.build(), fields)
    }

    pub(crate) fn from_schema(schema: &Schema) -> Result<Fields> {
        let f = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| Error::Corpus(format!("index lacks field {name:?}")))
        };
        Ok(Fields {
            id: f("id")?,
            title: f("title")?,
            body: f("body")?,
            lead: f("lead")?,
            source: f("source")?,
            source_key: f("source_key")?,
            date: f("date")?,
            day: f("day")?,
            entities: f("entities")?,
            speakers: f("speakers")?,
        })
    }
}

/// A corpus: the SQLite store and the full-text index in one directory.
pub struct Corpus {
    pub(crate) dir: PathBuf,
    pub(crate) db: Connection,
    pub(crate) index: Index,
    pub(crate) fields: Fields,
}

impl Corpus {
    /// Opens the corpus in `dir`, creating the directory, store and index when missing, and
    /// migrating an older store.
    pub fn open(dir: impl AsRef<Path>) -> Result<Corpus> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir.join(INDEX_DIR))?;
        Self::open_in(dir)
    }

    /// Opens an existing corpus; fails when `dir` holds none.
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<Corpus> {
        let dir = dir.as_ref();
        if !dir.join(DB_FILE).is_file() || !dir.join(INDEX_DIR).is_dir() {
            return Err(Error::Corpus(format!(
                "{}: no corpus here (run `khabar index --db {}` first)",
                dir.display(),
                dir.display()
            )));
        }
        Self::open_in(dir)
    }

    fn open_in(dir: &Path) -> Result<Corpus> {
        let db = store::open(&dir.join(DB_FILE))?;
        store::check_analyzer(&db)?;
        let index = open_index(&dir.join(INDEX_DIR))?;
        let fields = Fields::from_schema(&index.schema())?;
        Ok(Corpus {
            dir: dir.to_path_buf(),
            db,
            index,
            fields,
        })
    }

    /// The corpus directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of articles in the store.
    pub fn article_count(&self) -> Result<u64> {
        Ok(self
            .db
            .query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Number of live documents in the full-text index (as of its last commit).
    pub fn indexed_count(&self) -> Result<u64> {
        let reader = self.index.reader()?;
        Ok(reader.searcher().num_docs())
    }

    /// The article ids in the store, sorted.
    pub fn ids(&self) -> Result<Vec<String>> {
        let mut st = self.db.prepare("SELECT id FROM articles ORDER BY id")?;
        let ids = st
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// The ids of the live documents of the full-text index, sorted (with repeats, if any).
    pub fn indexed_ids(&self) -> Result<Vec<String>> {
        use tantivy::schema::Value;
        let searcher = self.index.reader()?.searcher();
        let mut ids = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            for doc in seg.doc_ids_alive() {
                let d: tantivy::TantivyDocument =
                    searcher.doc(tantivy::DocAddress::new(ord as u32, doc))?;
                if let Some(id) = d.get_first(self.fields.id).and_then(|v| v.as_str()) {
                    ids.push(id.to_string());
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// The stored analysis (`khabar.analysis/1` JSON) of an article.
    pub fn analysis_json(&self, id: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .db
            .query_row(
                "SELECT json FROM analyses WHERE article_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Bytes on disk of the whole corpus directory.
    pub fn disk_size(&self) -> u64 {
        dir_size(&self.dir)
    }
}

/// Opens or creates the tantivy index in `dir`, with the khabar analyzer registered.
pub(crate) fn open_index(dir: &Path) -> Result<Index> {
    let (schema, _) = Fields::schema();
    let mmap = tantivy::directory::MmapDirectory::open(dir)?;
    let index = Index::open_or_create(mmap, schema)?;
    analyzer::register(&index);
    Ok(index)
}

/// Total size of the files under `path`.
pub fn dir_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| dir_size(&e.path())).sum())
        .unwrap_or(0)
}
