//! Stories and near-duplicates over the stored articles.
//!
//! Every indexed article has its story features stored beside it (`story_features`,
//! computed in the analysis stage). After each indexing run that changed the store,
//! [`rebuild`] loads all features with the articles' dates and linked entities, runs
//! [`khabar_stories::cluster`] over the whole collection in time order, and replaces the
//! `stories`, `story_articles` and `duplicates` tables in one transaction. Recomputing from
//! the whole set keeps stories independent of the order articles arrived in; 41k articles
//! take a few seconds. A story's id is a hash of its first article's id, so stories keep
//! their ids across runs unless an earlier article joins them.

use crate::{Corpus, Error, Result};
use khabar_keywords::TermTable;
use khabar_stories::{Clustering, Features, Params};
use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// What a rebuild did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoriesReport {
    /// Articles clustered.
    pub articles: u64,
    /// Stories (of any size).
    pub stories: u64,
    /// Stories of two articles or more.
    pub multi_article: u64,
    /// Near-duplicate groups.
    pub duplicate_groups: u64,
    /// Articles whose features were computed from the stored text (older corpora).
    pub backfilled: u64,
    /// Undated articles (clustered among themselves).
    pub undated: u64,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Seconds since 1970-01-01 of an ISO date (`YYYY-MM-DD[THH:MM[:SS]]`).
pub(crate) fn epoch_seconds(iso: &str) -> Option<i64> {
    let y: i64 = iso.get(0..4)?.parse().ok()?;
    let m: i64 = iso.get(5..7)?.parse().ok()?;
    let d: i64 = iso.get(8..10)?.parse().ok()?;
    let num = |r: std::ops::Range<usize>| iso.get(r).and_then(|s| s.parse::<i64>().ok());
    let (hh, mm, ss) = (
        num(11..13).unwrap_or(0),
        num(14..16).unwrap_or(0),
        num(17..19).unwrap_or(0),
    );
    // days from civil (Howard Hinnant's algorithm)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// The articles and their features, loaded for clustering.
pub struct Loaded {
    /// Article ids.
    pub ids: Vec<String>,
    /// Headlines.
    pub titles: Vec<String>,
    /// Sources.
    pub sources: Vec<Option<String>>,
    /// Normalized dates.
    pub dates: Vec<Option<String>>,
    /// Story features.
    pub features: Vec<Features>,
    /// Linked entity ids, distinct.
    pub entities: Vec<Vec<i64>>,
}

impl Loaded {
    /// The clustering inputs.
    pub fn inputs(&self) -> Vec<khabar_stories::Input<'_>> {
        (0..self.ids.len())
            .map(|i| khabar_stories::Input {
                id: &self.ids[i],
                time: self.dates[i].as_deref().and_then(epoch_seconds),
                features: &self.features[i],
                entities: &self.entities[i],
            })
            .collect()
    }
}

/// Computes the features of stored articles that have none (a corpus indexed before
/// stories existed): the text layers and keywords of the stored headline and body.
fn backfill(db: &Connection) -> Result<u64> {
    let mut st = db.prepare(
        "SELECT a.id, a.title, a.body FROM articles a
         WHERE NOT EXISTS (SELECT 1 FROM story_features f WHERE f.article_id = a.id)",
    )?;
    let todo: Vec<(String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if todo.is_empty() {
        return Ok(0);
    }
    use rayon::prelude::*;
    let rows: Vec<(String, Vec<u8>)> = todo
        .into_par_iter()
        .map(|(id, title, body)| {
            let a = khabar_ingest::Article {
                id,
                title,
                body,
                ..Default::default()
            };
            let mut doc = khabar_analysis::Document::from_article(&a);
            khabar_keywords::annotate(&mut doc, TermTable::shipped());
            let f = Features::from_document(&doc, TermTable::shipped());
            (a.id, f.to_bytes())
        })
        .collect();
    let mut ins = db.prepare_cached(
        "INSERT INTO story_features (article_id, data) VALUES (?1, ?2)
         ON CONFLICT(article_id) DO UPDATE SET data = excluded.data",
    )?;
    for (id, data) in &rows {
        ins.execute(params![id, data])?;
    }
    Ok(rows.len() as u64)
}

/// Loads every article with features. A record that cannot be read is reported through
/// `on_bad` and left out.
pub fn load(db: &Connection, on_bad: &mut dyn FnMut(&str, &str)) -> Result<Loaded> {
    let mut st = db.prepare(
        "SELECT a.id, a.title, a.source, a.date, f.data FROM articles a
         JOIN story_features f ON f.article_id = a.id ORDER BY a.id",
    )?;
    let mut out = Loaded {
        ids: Vec::new(),
        titles: Vec::new(),
        sources: Vec::new(),
        dates: Vec::new(),
        features: Vec::new(),
        entities: Vec::new(),
    };
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let data: Vec<u8> = r.get(4)?;
        match Features::from_bytes(&data) {
            Ok(f) => {
                out.ids.push(id);
                out.titles.push(r.get(1)?);
                out.sources.push(r.get(2)?);
                out.dates.push(r.get(3)?);
                out.features.push(f);
                out.entities.push(Vec::new());
            }
            Err(e) => on_bad(&id, &e.to_string()),
        }
    }
    let index: FxHashMap<&str, usize> = out
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut ents: Vec<Vec<i64>> = vec![Vec::new(); out.ids.len()];
    let mut st = db.prepare(
        "SELECT e.article_id, e.entity_id FROM entities e
         JOIN corpus_entities c ON c.id = e.entity_id WHERE c.type != 'MISC'",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if let Some(&i) = index.get(id.as_str()) {
            ents[i].push(r.get(1)?);
        }
    }
    for e in &mut ents {
        e.sort_unstable();
        e.dedup();
    }
    out.entities = ents;
    Ok(out)
}

/// Clusters the stored articles and replaces the stories and duplicate groups.
pub fn rebuild(
    db: &Connection,
    p: &Params,
    on_bad: &mut dyn FnMut(&str, &str),
) -> Result<StoriesReport> {
    let start = std::time::Instant::now();
    db.execute_batch("BEGIN IMMEDIATE")?;
    let mut run = || -> Result<StoriesReport> {
        let backfilled = backfill(db)?;
        let loaded = load(db, on_bad)?;
        let inputs = loaded.inputs();
        let c = khabar_stories::cluster(&inputs, p);
        let mut report = write(db, &loaded, &c)?;
        report.backfilled = backfilled;
        report.undated = inputs.iter().filter(|x| x.time.is_none()).count() as u64;
        Ok(report)
    };
    match run() {
        Ok(mut r) => {
            db.execute_batch("COMMIT")?;
            r.seconds = start.elapsed().as_secs_f64();
            Ok(r)
        }
        Err(e) => {
            let _ = db.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[derive(Serialize)]
struct SourceJson<'a> {
    source: &'a str,
    first: Option<&'a str>,
    articles: usize,
}

/// An outlet of a story: when it first reported it, and how many articles it ran.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct StorySource {
    /// Outlet.
    pub source: String,
    /// Its first article's date.
    pub first: Option<String>,
    /// Its articles in the story.
    pub articles: usize,
}

/// A story entity as stored and shown.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct StoryEntity {
    /// Corpus entity id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// PER, LOC, ORG.
    #[serde(rename = "type")]
    pub kind: String,
    /// Articles of the story mentioning it.
    pub articles: usize,
}

/// A summary sentence with the article it comes from.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SummarySentence {
    /// The sentence.
    pub text: String,
    /// Article id.
    pub article: String,
}

/// A story keyword.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct StoryKeyword {
    /// Keyword text.
    pub text: String,
    /// Score relative to the best (1.0).
    pub score: f32,
}

/// Story entities shown, keywords, summary sentences.
const STORY_ENTITIES: usize = 8;
const STORY_KEYWORDS: usize = 10;
const STORY_SUMMARY: usize = 4;

fn word_set(s: &str) -> rustc_hash::FxHashSet<String> {
    khabar_text::TextAnalyzer::shared()
        .tokenize(s)
        .into_iter()
        .filter_map(|t| khabar_keywords::term_key(&t).map(str::to_string))
        .collect()
}

/// Story summary: the most central articles' summary sentences, skipping any that repeats
/// (shares half its words with) one already taken.
fn story_summary(loaded: &Loaded, by_centrality: &[usize]) -> Vec<SummarySentence> {
    let mut out: Vec<SummarySentence> = Vec::new();
    let mut sets: Vec<rustc_hash::FxHashSet<String>> = Vec::new();
    for &m in by_centrality.iter().take(20) {
        for s in &loaded.features[m].summary {
            if out.len() == STORY_SUMMARY {
                return out;
            }
            let w = word_set(s);
            if w.is_empty() {
                continue;
            }
            let repeats = sets.iter().any(|o| {
                let common = w.intersection(o).count();
                common * 2 >= w.len().min(o.len())
            });
            if !repeats {
                sets.push(w);
                out.push(SummarySentence {
                    text: s.clone(),
                    article: loaded.ids[m].clone(),
                });
            }
        }
    }
    out
}

fn story_keywords(loaded: &Loaded, members: &[usize]) -> Vec<StoryKeyword> {
    let mut score: FxHashMap<&str, f32> = FxHashMap::default();
    for &m in members {
        for (k, s) in &loaded.features[m].keywords {
            *score.entry(k.as_str()).or_insert(0.0) += s;
        }
    }
    let mut v: Vec<(&str, f32)> = score.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let best = v.first().map_or(1.0, |x| x.1.max(1e-6));
    v.into_iter()
        .take(STORY_KEYWORDS)
        .map(|(t, s)| StoryKeyword {
            text: t.to_string(),
            score: ((s / best) * 1000.0).round() / 1000.0,
        })
        .collect()
}

fn write(db: &Connection, loaded: &Loaded, c: &Clustering) -> Result<StoriesReport> {
    db.execute_batch("DELETE FROM stories; DELETE FROM story_articles; DELETE FROM duplicates;")?;
    let mut names: FxHashMap<i64, (String, String)> = FxHashMap::default();
    {
        let mut st = db.prepare("SELECT id, name, type FROM corpus_entities")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            names.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
        }
    }
    let mut ins_story = db.prepare(
        "INSERT INTO stories (id, title, central, size, first, last, sources, keywords, summary, entities)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut ins_member =
        db.prepare("INSERT INTO story_articles (article_id, story_id) VALUES (?1, ?2)")?;
    let mut report = StoriesReport {
        articles: loaded.ids.len() as u64,
        stories: c.stories.len() as u64,
        ..Default::default()
    };
    for s in &c.stories {
        if s.members.len() > 1 {
            report.multi_article += 1;
        }
        let dates: Vec<&str> = s
            .members
            .iter()
            .filter_map(|&m| loaded.dates[m].as_deref())
            .collect();
        let first = dates.iter().min().copied();
        let last = dates.iter().max().copied();
        let mut sources: Vec<SourceJson> = Vec::new();
        for &m in &s.members {
            let src = loaded.sources[m].as_deref().unwrap_or("");
            let d = loaded.dates[m].as_deref();
            match sources.iter_mut().find(|x| x.source == src) {
                Some(x) => {
                    x.articles += 1;
                    if d.is_some() && (x.first.is_none() || d < x.first) {
                        x.first = d;
                    }
                }
                None => sources.push(SourceJson {
                    source: src,
                    first: d,
                    articles: 1,
                }),
            }
        }
        sources.sort_by(|a, b| {
            (a.first.is_none(), a.first, a.source).cmp(&(b.first.is_none(), b.first, b.source))
        });
        let mut ent_count: FxHashMap<i64, usize> = FxHashMap::default();
        for &m in &s.members {
            for &e in &loaded.entities[m] {
                *ent_count.entry(e).or_insert(0) += 1;
            }
        }
        let mut ents: Vec<(i64, usize)> = ent_count.into_iter().collect();
        ents.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let entities: Vec<StoryEntity> = ents
            .into_iter()
            .filter_map(|(id, n)| {
                names.get(&id).map(|(name, kind)| StoryEntity {
                    id,
                    name: name.clone(),
                    kind: kind.clone(),
                    articles: n,
                })
            })
            .take(STORY_ENTITIES)
            .collect();
        ins_story.execute(params![
            s.id,
            loaded.titles[s.central],
            loaded.ids[s.central],
            s.members.len() as i64,
            first,
            last,
            json(&sources),
            json(&story_keywords(loaded, &s.members)),
            json(&story_summary(loaded, &s.by_centrality)),
            json(&entities),
        ])?;
        for &m in &s.members {
            ins_member.execute(params![loaded.ids[m], s.id])?;
        }
    }
    let mut ins_dup = db
        .prepare("INSERT INTO duplicates (group_id, article_id, similarity) VALUES (?1, ?2, ?3)")?;
    for g in &c.duplicates {
        let gid = (khabar_stories::minhash::stable_hash(&loaded.ids[g.members[0].0]) >> 11) as i64;
        for &(m, sim) in &g.members {
            ins_dup.execute(params![gid, loaded.ids[m], sim as f64])?;
        }
    }
    report.duplicate_groups = c.duplicates.len() as u64;
    Ok(report)
}

/// A JSON column (these values always serialize).
fn json<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A story as `khabar stories` lists it (the NDJSON contract).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoryRecord {
    /// Stable story id.
    pub id: i64,
    /// The headline of its most central article.
    pub title: String,
    /// Article ids, by time.
    pub articles: Vec<String>,
    /// Outlets with the time each first reported it, earliest first.
    pub sources: Vec<StorySource>,
    /// First article's date.
    pub first: Option<String>,
    /// Last article's date.
    pub last: Option<String>,
    /// Number of articles.
    pub size: usize,
    /// Keywords over its articles.
    pub keywords: Vec<StoryKeyword>,
    /// Summary sentences drawn from its articles, none repeated.
    pub summary: Vec<SummarySentence>,
    /// Entities most of its articles mention.
    pub entities: Vec<StoryEntity>,
}

/// An article of a story, as `khabar story` shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoryArticle {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Outlet.
    pub source: Option<String>,
    /// Date.
    pub date: Option<String>,
    /// The earliest copy of this text, when the article is a later near-duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

/// Filters of [`Corpus::stories`].
#[derive(Debug, Clone, Default)]
pub struct StoriesRequest {
    /// Stories with news on or after this date.
    pub from: Option<String>,
    /// Stories with news on or before this date.
    pub to: Option<String>,
    /// Smallest size listed.
    pub min_size: usize,
    /// Most stories listed (largest first).
    pub limit: usize,
}

/// A near-duplicate group as `khabar duplicates` lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DuplicateRecord {
    /// Group id (a hash of the earliest copy's id).
    pub group: i64,
    /// Members, earliest first, with their estimated similarity to it.
    pub articles: Vec<DuplicateMember>,
}

/// A member of a near-duplicate group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DuplicateMember {
    /// Article id.
    pub id: String,
    /// Outlet.
    pub source: Option<String>,
    /// Date.
    pub date: Option<String>,
    /// Estimated Jaccard similarity of its word 4-shingles to the earliest copy.
    pub similarity: f32,
}

fn day_bound(v: &Option<String>, what: &str) -> Result<Option<String>> {
    Ok(crate::dates::date_argument(v, what)?.map(|d| d.iso[..10].to_string()))
}

fn story_row(db: &Connection, r: &rusqlite::Row<'_>) -> Result<StoryRecord> {
    let id: i64 = r.get(0)?;
    let parse = |col: usize| -> Result<String> { Ok(r.get::<_, String>(col)?) };
    let bad = |what: &str| Error::Corpus(format!("story {id}: stored {what} unreadable"));
    let mut st = db.prepare_cached(
        "SELECT s.article_id FROM story_articles s JOIN articles a ON a.id = s.article_id
         WHERE s.story_id = ?1 ORDER BY a.date IS NULL, a.date, a.id",
    )?;
    let articles = st
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(StoryRecord {
        id,
        title: r.get(1)?,
        articles,
        first: r.get(3)?,
        last: r.get(4)?,
        size: r.get::<_, i64>(2)? as usize,
        sources: serde_json::from_str(&parse(5)?).map_err(|_| bad("sources"))?,
        keywords: serde_json::from_str(&parse(6)?).map_err(|_| bad("keywords"))?,
        summary: serde_json::from_str(&parse(7)?).map_err(|_| bad("summary"))?,
        entities: serde_json::from_str(&parse(8)?).map_err(|_| bad("entities"))?,
    })
}

const STORY_COLUMNS: &str = "id, title, size, first, last, sources, keywords, summary, entities";

impl Corpus {
    /// Recomputes the stories and near-duplicate groups of the whole corpus (also run by
    /// [`crate::index_inputs`] after a run that changed the store).
    pub fn rebuild_stories(
        &self,
        params: &Params,
        on_bad: &mut dyn FnMut(&str, &str),
    ) -> Result<StoriesReport> {
        rebuild(&self.db, params, on_bad)
    }

    /// The stored articles with their story features, as [`khabar_stories::cluster`] takes
    /// them (unreadable feature records are left out).
    pub fn load_story_inputs(&self) -> Result<Loaded> {
        load(&self.db, &mut |_, _| {})
    }

    /// Calls `f` with each stored article's id and body.
    pub fn for_each_body(&self, f: &mut dyn FnMut(&str, &str)) -> Result<()> {
        let mut st = self.db.prepare("SELECT id, body FROM articles")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let (id, body): (String, String) = (r.get(0)?, r.get(1)?);
            f(&id, &body);
        }
        Ok(())
    }

    /// Stories, largest first (then earliest), filtered by dates and size.
    pub fn stories(&self, req: &StoriesRequest) -> Result<Vec<StoryRecord>> {
        let from = day_bound(&req.from, "from")?;
        let to = day_bound(&req.to, "to")?;
        let mut st = self.db.prepare(&format!(
            "SELECT {STORY_COLUMNS} FROM stories
             WHERE size >= ?1 AND (?2 IS NULL OR substr(last, 1, 10) >= ?2)
               AND (?3 IS NULL OR substr(first, 1, 10) <= ?3)
             ORDER BY size DESC, first IS NULL, first, id LIMIT ?4"
        ))?;
        let mut rows = st.query(params![
            req.min_size.max(1) as i64,
            from,
            to,
            req.limit.min(i64::MAX as usize) as i64
        ])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(story_row(&self.db, r)?);
        }
        Ok(out)
    }

    /// One story with its articles by time.
    pub fn story(&self, id: i64) -> Result<Option<(StoryRecord, Vec<StoryArticle>)>> {
        let mut st = self.db.prepare(&format!(
            "SELECT {STORY_COLUMNS} FROM stories WHERE id = ?1"
        ))?;
        let mut rows = st.query([id])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let record = story_row(&self.db, r)?;
        let mut st = self.db.prepare_cached(
            "SELECT a.id, a.title, a.source, a.date,
               (SELECT d2.article_id FROM duplicates d1
                  JOIN duplicates d2 ON d2.group_id = d1.group_id
                  JOIN articles a2 ON a2.id = d2.article_id
                 WHERE d1.article_id = a.id
                 ORDER BY a2.date IS NULL, a2.date, a2.id LIMIT 1)
             FROM story_articles s JOIN articles a ON a.id = s.article_id
             WHERE s.story_id = ?1 ORDER BY a.date IS NULL, a.date, a.id",
        )?;
        let articles = st
            .query_map([id], |r| {
                let id: String = r.get(0)?;
                let first: Option<String> = r.get(4)?;
                Ok(StoryArticle {
                    duplicate_of: first.filter(|f| *f != id),
                    id,
                    title: r.get(1)?,
                    source: r.get(2)?,
                    date: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some((record, articles)))
    }

    /// The story of an article, if stories were built.
    pub fn story_of(&self, article_id: &str) -> Result<Option<i64>> {
        Ok(self
            .db
            .query_row(
                "SELECT story_id FROM story_articles WHERE article_id = ?1",
                [article_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Near-duplicate groups, largest first.
    pub fn duplicates(&self, limit: usize) -> Result<Vec<DuplicateRecord>> {
        let mut st = self.db.prepare(
            "SELECT group_id FROM duplicates GROUP BY group_id
             ORDER BY count(*) DESC, group_id LIMIT ?1",
        )?;
        let groups = st
            .query_map([limit.min(i64::MAX as usize) as i64], |r| {
                r.get::<_, i64>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut members = self.db.prepare(
            "SELECT d.article_id, a.source, a.date, d.similarity FROM duplicates d
             JOIN articles a ON a.id = d.article_id WHERE d.group_id = ?1
             ORDER BY a.date IS NULL, a.date, a.id",
        )?;
        groups
            .into_iter()
            .map(|g| {
                let articles = members
                    .query_map([g], |r| {
                        Ok(DuplicateMember {
                            id: r.get(0)?,
                            source: r.get(1)?,
                            date: r.get(2)?,
                            similarity: r.get::<_, f64>(3)? as f32,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(DuplicateRecord { group: g, articles })
            })
            .collect()
    }
}
