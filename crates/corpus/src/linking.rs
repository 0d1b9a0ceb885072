//! Entity linking at index time: every entity mention of an indexed article gets the id of
//! a corpus entity ([`khabar_names::linker`] decides; this module stores its results).
//!
//! The linker's state is the stored entities and their spellings: it is loaded when an
//! indexing run starts, so a run that adds articles links them to the entities of earlier
//! runs. An entity's figures (spellings with counts, article count, first and last date,
//! name) are recomputed from its mentions for every entity a batch touched, inside the
//! batch's transaction: re-indexing an article replaces its mentions and leaves the rest as
//! they were.

use crate::Result;
use khabar_analysis::{Entity, Quote};
use khabar_names::linker::{Linker, Mention};
use rusqlite::{params, Connection, OptionalExtension};
use rustc_hash::{FxHashMap, FxHashSet};

/// The entity id stored for a mention with nothing to link (punctuation only, …): keeps
/// it out of the backfill of unlinked mentions.
const NOT_LINKABLE: i64 = 0;

/// The stored form of a mention's link: the entity id, or [`NOT_LINKABLE`].
pub(crate) fn stored_entity_id(id: Option<u64>) -> i64 {
    id.map_or(NOT_LINKABLE, |x| x as i64)
}

/// Writes the (quotation, entity) "about" rows of an article.
pub(crate) fn insert_quote_about(db: &Connection, article: &str, about: &[Vec<u64>]) -> Result<()> {
    let mut st = db.prepare_cached(
        "INSERT OR IGNORE INTO quote_about (entity_id, article_id, idx) VALUES (?1, ?2, ?3)",
    )?;
    for (i, ids) in about.iter().enumerate() {
        for id in ids {
            st.execute(params![*id as i64, article, i as i64])?;
        }
    }
    Ok(())
}

/// Links of one article's layers to corpus entities.
#[derive(Debug, Default)]
pub(crate) struct ArticleLinks {
    /// Per entity mention.
    pub entities: Vec<Option<u64>>,
    /// Per quotation: its speaker's entity.
    pub speakers: Vec<Option<u64>>,
    /// Per quotation: the entities mentioned in its content.
    pub about: Vec<Vec<u64>>,
}

/// Loads the linker's state from the store.
pub(crate) fn load_linker(db: &Connection) -> Result<Linker> {
    let mut linker = Linker::new();
    let mut st = db.prepare("SELECT id, type, name, articles FROM corpus_entities ORDER BY id")?;
    let mut rows = st.query([])?;
    let mut kinds = rustc_hash::FxHashMap::default();
    while let Some(r) = rows.next()? {
        let (id, label, name, articles): (i64, String, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        linker.add_known(id as u64, &label, &name, articles as u32);
        kinds.insert(id, (label, articles));
    }
    let mut st =
        db.prepare("SELECT entity_id, text FROM entity_variants ORDER BY entity_id, count DESC")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let (id, text): (i64, String) = (r.get(0)?, r.get(1)?);
        if let Some((label, articles)) = kinds.get(&id) {
            linker.add_known(id as u64, label, &text, *articles as u32);
        }
    }
    Ok(linker)
}

/// Links one article's entities and quotations.
pub(crate) fn link_article(
    linker: &mut Linker,
    entities: &[Entity],
    quotes: &[Quote],
) -> ArticleLinks {
    let mentions: Vec<Mention> = entities
        .iter()
        .map(|e| Mention {
            text: &e.text,
            label: &e.label,
        })
        .collect();
    let ids = linker.link(&mentions);
    let mut speakers = Vec::with_capacity(quotes.len());
    let mut about = Vec::with_capacity(quotes.len());
    // folded mention texts, made once and only if a speaker needs them
    let mut folded: Option<Vec<String>> = None;
    for q in quotes {
        let speaker = speaker_entity(q, entities, &ids, &mut folded);
        speakers.push(speaker);
        let (s, e) = (q.content.start, q.content.end);
        let mut inside: Vec<u64> = entities
            .iter()
            .zip(&ids)
            .filter(|(m, _)| m.start >= s && m.end <= e)
            .filter_map(|(_, id)| *id)
            .filter(|id| Some(*id) != speaker)
            .collect();
        inside.sort_unstable();
        inside.dedup();
        about.push(inside);
    }
    ArticleLinks {
        entities: ids,
        speakers,
        about,
    }
}

/// The speaker's entity: the one the quotation names, else the mention inside the
/// speaker's span (the longest), else an entity of the article spelled like the speaker.
fn speaker_entity(
    q: &Quote,
    entities: &[Entity],
    ids: &[Option<u64>],
    folded: &mut Option<Vec<String>>,
) -> Option<u64> {
    if let Some(i) = q.speaker.entity {
        if let Some(id) = ids.get(i).copied().flatten() {
            return Some(id);
        }
    }
    if let Some(m) = &q.speaker.mention {
        let inside = entities
            .iter()
            .zip(ids)
            .filter(|(e, id)| id.is_some() && e.start >= m.start && e.end <= m.end)
            .max_by_key(|(e, _)| (e.label == "PER", e.end - e.start));
        if let Some((_, id)) = inside {
            return *id;
        }
    }
    let speaker = khabar_names::fold(&q.speaker.text);
    if speaker.is_empty() {
        return None;
    }
    let folded = folded.get_or_insert_with(|| {
        entities
            .iter()
            .map(|e| khabar_names::fold(&e.text))
            .collect()
    });
    folded
        .iter()
        .zip(ids)
        .find(|(f, id)| id.is_some() && **f == speaker)
        .and_then(|(_, id)| *id)
}

/// The entities whose mentions an article has now, before it is replaced.
pub(crate) fn entities_of_article(
    db: &Connection,
    article: &str,
    touched: &mut FxHashSet<u64>,
) -> Result<()> {
    let mut st = db.prepare_cached(
        "SELECT DISTINCT entity_id FROM entities WHERE article_id = ?1 AND entity_id > 0",
    )?;
    let rows = st.query_map([article], |r| r.get::<_, i64>(0))?;
    for id in rows {
        touched.insert(id? as u64);
    }
    Ok(())
}

/// The changes a batch makes to the stored entities: counts added by new articles, applied
/// as increments at commit; entities that lost mentions (a re-indexed article) are
/// recomputed from their mentions instead.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    variants: FxHashMap<(u64, String), i64>,
    entities: FxHashMap<u64, Added>,
    recompute: FxHashSet<u64>,
}

#[derive(Debug, Default)]
struct Added {
    label: String,
    mentions: i64,
    articles: i64,
    first: Option<String>,
    last: Option<String>,
}

impl Pending {
    /// Entities whose mentions are being replaced (re-indexing).
    pub fn recompute(&mut self, ids: impl IntoIterator<Item = u64>) {
        self.recompute.extend(ids);
    }

    /// A new article's linked mentions.
    pub fn add_article(&mut self, entities: &[Entity], ids: &[Option<u64>], date: Option<&str>) {
        let mut seen: FxHashSet<u64> = FxHashSet::default();
        for (e, id) in entities.iter().zip(ids) {
            let Some(id) = *id else { continue };
            *self.variants.entry((id, e.text.clone())).or_default() += 1;
            let a = self.entities.entry(id).or_default();
            if a.label.is_empty() {
                a.label = e.label.clone();
            }
            a.mentions += 1;
            if seen.insert(id) {
                a.articles += 1;
                if let Some(d) = date {
                    if a.first.as_deref().is_none_or(|f| d < f) {
                        a.first = Some(d.to_string());
                    }
                    if a.last.as_deref().is_none_or(|l| d > l) {
                        a.last = Some(d.to_string());
                    }
                }
            }
        }
    }

    /// Writes the pending changes (inside the caller's transaction) and clears them.
    pub fn apply(&mut self, db: &Connection) -> Result<()> {
        let recompute = std::mem::take(&mut self.recompute);
        refresh(db, &recompute)?;
        let mut add_variant = db.prepare_cached(
            "INSERT INTO entity_variants (entity_id, text, folded, count) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(entity_id, text) DO UPDATE SET count = count + excluded.count",
        )?;
        let mut variants: Vec<_> = std::mem::take(&mut self.variants).into_iter().collect();
        variants.sort_unstable();
        // the spellings each entity gained mentions of in this batch
        let mut gained: FxHashMap<u64, Vec<String>> = FxHashMap::default();
        for ((id, text), _) in &variants {
            gained.entry(*id).or_default().push(text.clone());
        }
        for ((id, text), n) in variants {
            if recompute.contains(&id) {
                continue;
            }
            add_variant.execute(params![id as i64, text, khabar_names::fold(&text), n])?;
        }
        let mut add_entity = db.prepare_cached(
            "INSERT INTO corpus_entities (id, type, name, key, mentions, articles, first, last)
             VALUES (?1, ?2, '', '', ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET mentions = mentions + excluded.mentions,
               articles = articles + excluded.articles,
               first = CASE WHEN first IS NULL OR excluded.first < first
                            THEN coalesce(excluded.first, first) ELSE first END,
               last = CASE WHEN last IS NULL OR excluded.last > last
                           THEN coalesce(excluded.last, last) ELSE last END
             RETURNING name",
        )?;
        let mut spellings =
            db.prepare_cached("SELECT text, count FROM entity_variants WHERE entity_id = ?1")?;
        let mut rename = db.prepare_cached(
            "UPDATE corpus_entities SET name = ?2, key = ?3 WHERE id = ?1 AND name != ?2",
        )?;
        let mut entities: Vec<_> = std::mem::take(&mut self.entities).into_iter().collect();
        entities.sort_unstable_by_key(|e| e.0);
        for (id, a) in entities {
            if recompute.contains(&id) {
                continue;
            }
            let key = id as i64;
            let current: String = add_entity.query_row(
                params![key, a.label, a.mentions, a.articles, a.first, a.last],
                |r| r.get(0),
            )?;
            let gained = gained.get(&id).map_or(&[][..], Vec::as_slice);
            // Only the name's own spelling gained mentions: it stays the most frequent.
            if gained.len() == 1 && gained[0] == current {
                continue;
            }
            // A new entity with one spelling: that is its name.
            if current.is_empty() && gained.len() == 1 {
                let name = &gained[0];
                rename.execute(params![key, name, khabar_names::block_key(name)])?;
                continue;
            }
            let variants: Vec<(String, i64)> = spellings
                .query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let name = canonical_name(variants.iter().map(|(t, n)| (t.as_str(), *n)));
            rename.execute(params![key, name, khabar_names::block_key(&name)])?;
        }
        Ok(())
    }
}

/// Recomputes the stored figures of the `touched` entities from their mentions; an entity
/// left without mentions is removed.
pub(crate) fn refresh(db: &Connection, touched: &FxHashSet<u64>) -> Result<()> {
    let mut ids: Vec<u64> = touched.iter().copied().collect();
    ids.sort_unstable();
    let mut variants_q = db.prepare_cached(
        "SELECT text, label, count(*) FROM entities WHERE entity_id = ?1
         GROUP BY text, label ORDER BY count(*) DESC, text",
    )?;
    let mut figures_q = db.prepare_cached(
        "SELECT count(DISTINCT e.article_id), min(a.date), max(a.date)
         FROM entities e JOIN articles a ON a.id = e.article_id WHERE e.entity_id = ?1",
    )?;
    let mut delete_variants =
        db.prepare_cached("DELETE FROM entity_variants WHERE entity_id = ?1")?;
    let mut delete_entity = db.prepare_cached("DELETE FROM corpus_entities WHERE id = ?1")?;
    let mut insert_variant = db.prepare_cached(
        "INSERT INTO entity_variants (entity_id, text, folded, count) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(entity_id, text) DO UPDATE SET count = count + excluded.count",
    )?;
    let mut upsert_entity = db.prepare_cached(
        "INSERT INTO corpus_entities (id, type, name, key, mentions, articles, first, last)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET type = excluded.type, name = excluded.name,
           key = excluded.key, mentions = excluded.mentions, articles = excluded.articles,
           first = excluded.first, last = excluded.last",
    )?;
    for id in ids {
        let key = id as i64;
        let variants: Vec<(String, String, i64)> = variants_q
            .query_map([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        delete_variants.execute([key])?;
        if variants.is_empty() {
            delete_entity.execute([key])?;
            continue;
        }
        let (articles, first, last): (i64, Option<String>, Option<String>) =
            figures_q.query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let mentions: i64 = variants.iter().map(|v| v.2).sum();
        let label = variants[0].1.clone();
        let name = canonical_name(variants.iter().map(|(t, _, n)| (t.as_str(), *n)));
        for (text, _, count) in &variants {
            insert_variant.execute(params![key, text, khabar_names::fold(text), count])?;
        }
        upsert_entity.execute(params![
            key,
            label,
            name,
            khabar_names::block_key(&name),
            mentions,
            articles,
            first,
            last
        ])?;
    }
    Ok(())
}

/// The entity's name: its most frequent full form (a spelling with two words or more,
/// besides بن), else its most frequent spelling; ties broken by the text for stability.
fn canonical_name<'a>(variants: impl Iterator<Item = (&'a str, i64)> + Clone) -> String {
    let full = variants
        .clone()
        .any(|(text, _)| khabar_names::linker::is_full_name(text));
    variants
        .filter(|(text, _)| !full || khabar_names::linker::is_full_name(text))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(text, _)| text.to_string())
        .unwrap_or_default()
}

/// Links the mentions stored before linking existed (a corpus indexed by an older khabar):
/// articles with unlinked mentions are read back from their stored analysis.
pub(crate) fn backfill(
    db: &Connection,
    linker: &mut Linker,
    touched: &mut FxHashSet<u64>,
) -> Result<u64> {
    #[derive(serde::Deserialize)]
    struct Stored {
        #[serde(default)]
        entities: Vec<Entity>,
        #[serde(default)]
        quotes: Vec<Quote>,
    }
    let ids: Vec<String> = db
        .prepare(
            "SELECT DISTINCT article_id FROM entities WHERE entity_id IS NULL ORDER BY article_id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        let json: Option<String> = db
            .query_row(
                "SELECT json FROM analyses WHERE article_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(stored) = json.and_then(|j| serde_json::from_str::<Stored>(&j).ok()) else {
            continue;
        };
        let links = link_article(linker, &stored.entities, &stored.quotes);
        write_links(db, id, &links, touched)?;
    }
    Ok(ids.len() as u64)
}

/// Writes the links of an article stored before linking existed.
fn write_links(
    db: &Connection,
    article: &str,
    links: &ArticleLinks,
    touched: &mut FxHashSet<u64>,
) -> Result<()> {
    let mut st =
        db.prepare_cached("UPDATE entities SET entity_id = ?3 WHERE article_id = ?1 AND idx = ?2")?;
    for (i, id) in links.entities.iter().enumerate() {
        st.execute(params![article, i as i64, stored_entity_id(*id)])?;
        if let Some(x) = id {
            touched.insert(*x);
        }
    }
    let mut st =
        db.prepare_cached("UPDATE quotes SET speaker_id = ?3 WHERE article_id = ?1 AND idx = ?2")?;
    for (i, id) in links.speakers.iter().enumerate() {
        st.execute(params![article, i as i64, id.map(|x| x as i64)])?;
    }
    insert_quote_about(db, article, &links.about)
}
