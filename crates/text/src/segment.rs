//! Clitic segmentation: proclitics (و ف ب ك ل س, ال, لل) and pronoun enclitics
//! (ه ها هم هما هن ك كم كما كن نا ني ي) are split off only where the remaining stem is a
//! known word, judged by the word frequencies of the shipped [`Lexicon`](crate::Lexicon).
//!
//! A split is accepted when (a) the stem is a known word, (b) the whole word is not much
//! more frequent than chance would make "clitic + stem" (كندا is not ك + ندا: كندا is far more
//! common than ندا makes likely), and (c) grammar allows it (no ال before a function word,
//! no ال together with a pronoun enclitic). Among accepted splits the most probable wins.

use rustc_hash::FxHashMap;

/// Role of a segment inside a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SegmentKind {
    /// و ف ب ك ل س ال لل
    Proclitic,
    /// The word itself.
    Stem,
    /// ه ها هم هما هن ك كم كما كن نا ني ي
    Enclitic,
}

/// How a normalized word splits: the char lengths of its proclitics, in order, and of its
/// enclitic. The stem is what lies between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Split {
    proclitics: [u8; 3],
    n_proclitics: u8,
    /// Char length of the enclitic (0 if none).
    pub enclitic: u8,
}

impl Split {
    /// The unsplit word.
    pub const WHOLE: Split = Split {
        proclitics: [0; 3],
        n_proclitics: 0,
        enclitic: 0,
    };

    /// Char lengths of the proclitics, in order.
    pub fn proclitics(&self) -> &[u8] {
        &self.proclitics[..self.n_proclitics as usize]
    }

    /// Total char length of the proclitics.
    pub fn prefix_len(&self) -> usize {
        self.proclitics().iter().map(|&l| l as usize).sum()
    }

    /// True when nothing is split off.
    pub fn is_whole(&self) -> bool {
        self.n_proclitics == 0 && self.enclitic == 0
    }

    /// `[(kind, start, end)]` char ranges within a word of `len` chars.
    pub fn ranges(&self, len: usize) -> impl Iterator<Item = (SegmentKind, usize, usize)> + '_ {
        let mut pos = 0;
        let pro = self.proclitics().iter().map(move |&l| {
            let r = (SegmentKind::Proclitic, pos, pos + l as usize);
            pos += l as usize;
            r
        });
        let pre = self.prefix_len();
        let stem_end = len.saturating_sub(self.enclitic as usize).max(pre);
        let enc = (self.enclitic > 0).then_some((SegmentKind::Enclitic, stem_end, len));
        pro.chain(std::iter::once((SegmentKind::Stem, pre, stem_end)))
            .chain(enc)
    }

    /// Compact text form used by the lexicon file: proclitic lengths, `-`, enclitic length
    /// (`12-0` is و + ال + stem).
    pub fn encode(&self) -> String {
        let mut s: String = self
            .proclitics()
            .iter()
            .map(|&l| char::from(b'0' + l))
            .collect();
        s.push('-');
        s.push(char::from(b'0' + self.enclitic));
        s
    }

    /// Parses [`Split::encode`]'s form.
    pub fn decode(s: &str) -> Option<Split> {
        let (pro, enc) = s.split_once('-')?;
        if pro.len() > 3 || enc.len() != 1 {
            return None;
        }
        let mut split = Split::WHOLE;
        for b in pro.bytes() {
            let l = b.checked_sub(b'0').filter(|&l| (1..=3).contains(&l))?;
            split.proclitics[split.n_proclitics as usize] = l;
            split.n_proclitics += 1;
        }
        split.enclitic = enc.as_bytes()[0].checked_sub(b'0').filter(|&l| l <= 3)?;
        Some(split)
    }
}

/// Words that are never segmented: function words that look like clitic + word
/// (الان is not ال + ان, الذي is not ال + ذي, كما is not ك + ما).
pub(crate) const ATOMIC: &[&str] = &[
    "الان",
    "الذي",
    "التي",
    "الذين",
    "اللذين",
    "اللذان",
    "اللتين",
    "اللتان",
    "اللاتي",
    "اللواتي",
    "اللائي",
    "الي",
    "الا",
    "الله",
    "اللهم",
    "كما",
    "كان",
    "كانت",
    "كانوا",
    "لكن",
    "لكي",
    "لدي",
    "لدى",
    "لما",
    "لماذا",
    "لذا",
    "لذلك",
    "لهذا",
    "كذلك",
    "بين",
    "بعد",
    "بل",
    "ليس",
    "ليست",
    "فقط",
    "فيما",
    "كلا",
    "كلما",
    "ثم",
    "سوف",
    "بينما",
    "لولا",
    "لو",
    "لن",
    "لم",
    "لا",
    "ما",
    "من",
    "في",
    "فوق",
    "ان",
    "هذا",
    "هذه",
    "هو",
    "هي",
    "هم",
    "هما",
    "هن",
    "نحن",
    "انا",
    "كيف",
    "كم",
    "متي",
    "ايضا",
    "وسط",
    "واحد",
    "واحدة",
    "والد",
    "والدة",
    "والده",
    "كبير",
    "كبيرة",
    "كثير",
    "وحدة",
    "واحدا",
    "وجدت",
    "وافق",
    "بعيد",
    "بعيدا",
    "بعيدة",
    "فكرة",
    "فني",
    "فنية",
    "فنيا",
    "فنيين",
    "بطاقة",
    "بطاقات",
    "فعالية",
    "فعاليات",
    "فعال",
    "فعالة",
    "كلم",
    "كثيرة",
    "لقاء",
    "بيان",
    "بيانات",
    "بلاد",
    "فريق",
    "فترة",
    "فرصة",
    "كلمة",
    "لجنة",
    "لجان",
    "سياسة",
];

/// Function words before which ال cannot stand.
const NO_ARTICLE: &[&str] = &[
    "ان", "من", "في", "ما", "لا", "عن", "علي", "الي", "هو", "هي", "هم", "هذا", "هذه", "ذلك", "تلك",
    "ذي", "تي", "لم", "لن", "قد", "او", "ام", "كل", "بعض", "غير", "مع", "عند", "منذ", "حتي", "اذا",
    "اذ", "كي",
];

/// (surface, ln p): the proclitic slots in order. Probabilities are rough priors of how often a
/// word carries that clitic in news text; they only need to rank analyses.
const CONJ: &[(&str, f32)] = &[("و", -1.4), ("ف", -3.5)];
const PREP: &[(&str, f32)] = &[("ب", -2.5), ("ل", -2.5), ("ك", -5.5)];
const FUTURE: (&str, f32) = ("س", -6.0);
const ARTICLE: (&str, f32) = ("ال", -1.2);
/// ل + ال with the alef elided.
const LIL: (&str, f32) = ("لل", -2.5);
const ENCLITICS: &[(&str, f32)] = &[
    ("ه", -2.0),
    ("ها", -2.5),
    ("هم", -2.8),
    ("هما", -4.5),
    ("هن", -5.0),
    ("ك", -5.0),
    ("كم", -5.0),
    ("كما", -7.0),
    ("كن", -7.0),
    ("نا", -3.5),
    ("ني", -4.5),
    ("ي", -4.5),
];

/// A whole word is kept when it is more than this many times as frequent as chance makes
/// "clitics + stem".
const ATOMIC_RATIO: f64 = 20.0;
/// A known stem this frequent after و/ف skips the chance test.
const CONJ_TRUSTED_STEM_COUNT: u32 = 50;
/// A stem must have been seen at least this often to count as known.
pub const MIN_STEM_COUNT: u32 = 5;

/// مدينته: before an enclitic the stem's ة is written ت. If `stem` ends with ت, writes the
/// stem with ة restored into `buf` and returns true.
pub(crate) fn restore_ta_marbuta(stem: &str, buf: &mut String) -> bool {
    let Some(base) = stem.strip_suffix('ت') else {
        return false;
    };
    buf.clear();
    buf.push_str(base);
    buf.push('ة');
    true
}

/// Word counts, the input of segmentation decisions.
pub trait Counts {
    /// How often the normalized word was seen (0 if never).
    fn count(&self, word: &str) -> u32;

    /// True for a known name (from gazetteers): never split itself, but a valid stem after
    /// a proclitic however rare it is (وطاجيكستان → و + طاجيكستان).
    fn is_name(&self, _word: &str) -> bool {
        false
    }
}

impl Counts for FxHashMap<Box<str>, u32> {
    fn count(&self, word: &str) -> u32 {
        self.get(word).copied().unwrap_or(0)
    }
}

/// Decides the split of a normalized word from word counts. Words that are not entirely
/// Arabic letters are never split.
pub fn best_split(word: &str, counts: &impl Counts) -> Split {
    match best_candidate(word, counts) {
        Some(c) => {
            let mut split = Split::WHOLE;
            for p in c.proclitics.iter() {
                split.proclitics[split.n_proclitics as usize] = p.chars().count() as u8;
                split.n_proclitics += 1;
            }
            split.enclitic = c.enclitic.chars().count() as u8;
            split
        }
        None => Split::WHOLE,
    }
}

struct Candidate<'w> {
    proclitics: Clitics,
    stem: &'w str,
    enclitic: &'static str,
}

/// Up to three proclitics with their log-priors, on the stack: segmentation of unknown words
/// runs per token and must not allocate.
#[derive(Debug, Clone, Copy, Default)]
struct Clitics {
    items: [(&'static str, f32); 3],
    len: usize,
}

impl Clitics {
    fn push(&mut self, c: (&'static str, f32)) {
        if self.len < 3 {
            self.items[self.len] = c;
            self.len += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.items[..self.len].iter().map(|c| c.0)
    }

    fn log_prior(&self) -> f32 {
        self.items[..self.len].iter().map(|c| c.1).sum()
    }

    fn first(&self) -> Option<&'static str> {
        (self.len > 0).then(|| self.items[0].0)
    }

    fn last(&self) -> Option<&'static str> {
        (self.len > 0).then(|| self.items[self.len - 1].0)
    }

    fn with(mut self, c: (&'static str, f32)) -> Self {
        self.push(c);
        self
    }
}

/// Order of proclitic slots: conjunction, then preposition/future, then the article.
fn rank(p: &str) -> u8 {
    match p {
        "و" | "ف" => 0,
        "ب" | "ك" | "ل" | "س" => 1,
        "لل" => 2,
        _ => 3, // ال
    }
}

/// Stems of two letters are accepted only for these function words (ومن، فإن، لأن، بما).
const SHORT_STEMS: &[&str] = &[
    "من", "في", "ما", "لا", "لم", "لن", "ان", "عن", "هو", "هي", "هم", "قد", "ذا", "ذي", "مع", "كل",
    "هل", "او", "لو", "اي", "بل", "ثم", "اذ", "به", "له", "لي", "بي",
];

fn best_candidate<'w>(word: &'w str, counts: &impl Counts) -> Option<Candidate<'w>> {
    let n = word.chars().count();
    if n < 3 || !word.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c)) {
        return None;
    }
    if ATOMIC.contains(&word) || counts.is_name(word) {
        return None;
    }
    // Preposition + pronoun with no other stem: لها، بهم، وله.
    for (conj, _) in std::iter::once(("", 0.0)).chain(CONJ.iter().copied()) {
        let Some(rest) = word.strip_prefix(conj) else {
            continue;
        };
        for &(prep, _) in PREP {
            if let Some(enc) = rest.strip_prefix(prep) {
                if let Some(&(enc, _)) = ENCLITICS.iter().find(|(e, _)| *e == enc) {
                    let mut proclitics = Clitics::default();
                    if let Some(&c) = CONJ.iter().find(|c| c.0 == conj) {
                        proclitics.push(c);
                    }
                    return Some(Candidate {
                        proclitics,
                        stem: &rest[..prep.len()],
                        enclitic: enc,
                    });
                }
            }
        }
    }
    let observed = counts.count(word) as f64;
    let mut best: Option<(f32, Candidate<'w>)> = None;
    let mut stem_buf = String::new();
    for_each_prefix(word, |prefixes, rest| {
        let has_article = prefixes.iter().any(|p| p == "ال" || p == "لل");
        let prefix_lp = prefixes.log_prior();
        let rest_len = rest.chars().count();
        // the enclitic-free candidate, then each enclitic
        let enclitics =
            std::iter::once(("", 0.0f32)).chain(ENCLITICS.iter().copied().filter(|_| !has_article));
        for (enc, enc_lp) in enclitics {
            if prefixes.len == 0 && enc.is_empty() {
                continue;
            }
            let Some(stem) = rest.strip_suffix(enc) else {
                continue;
            };
            let stem_len = rest_len - enc.chars().count();
            if stem_len < 2 || (stem_len == 2 && !SHORT_STEMS.contains(&stem)) {
                continue;
            }
            if has_article && (NO_ARTICLE.contains(&stem) || stem.starts_with("ال")) {
                continue;
            }
            let mut stem_count = counts.count(stem);
            if !enc.is_empty() && restore_ta_marbuta(stem, &mut stem_buf) {
                stem_count = stem_count.max(counts.count(&stem_buf));
            }
            if stem_count < MIN_STEM_COUNT {
                if !(enc.is_empty() && counts.is_name(stem)) {
                    continue;
                }
                stem_count = MIN_STEM_COUNT;
            }
            // The future marker س only comes before an imperfect verb (سيقول، ستعلن، سنبحث).
            if prefixes.iter().any(|p| p == "س") && !stem.starts_with(['ي', 'ت', 'ن']) {
                continue;
            }
            let lp = prefix_lp + enc_lp;
            let expected = stem_count as f64 * (lp as f64).exp();
            // و and ف attach to anything; news repeats a few such compounds so often
            // (وأضاف is 20 times as common as أضاف) that the chance test would keep them whole.
            // لل likewise: hardly any word begins with لل by itself (للإغاثة is لل + إغاثة).
            let conj_only = enc.is_empty() && prefixes.iter().all(|p| rank(p) == 0 || p == "لل");
            let trusted = conj_only && stem_count >= CONJ_TRUSTED_STEM_COUNT;
            if !trusted && observed > ATOMIC_RATIO * expected {
                continue;
            }
            let score = (stem_count as f32).ln() + lp;
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    Candidate {
                        proclitics: prefixes,
                        stem,
                        enclitic: enc,
                    },
                ));
            }
        }
    });
    let (_, mut cand) = best?;
    // The stem may itself be a compound the lexicon knows better (و + التدريب → و + ال + تدريب).
    // Before an enclitic the stem's ة is written ت (لمحاولتي): look it up restored.
    let inner_word = if !cand.enclitic.is_empty() && restore_ta_marbuta(cand.stem, &mut stem_buf) {
        stem_buf.as_str()
    } else {
        cand.stem
    };
    if let Some(inner) = best_candidate(inner_word, counts) {
        let order_ok = match (cand.proclitics.last(), inner.proclitics.first()) {
            (Some(o), Some(i)) => rank(o) < rank(i) && !(o == "ل" && i == "ال"),
            _ => true,
        };
        let enclitic_ok = cand.enclitic.is_empty() || inner.enclitic.is_empty();
        let article = cand
            .proclitics
            .iter()
            .chain(inner.proclitics.iter())
            .any(|p| p == "ال" || p == "لل");
        let with_enclitic = !cand.enclitic.is_empty() || !inner.enclitic.is_empty();
        if order_ok
            && enclitic_ok
            && !(article && with_enclitic)
            && cand.proclitics.len + inner.proclitics.len <= 3
        {
            let skip: usize = inner.proclitics.iter().map(str::len).sum();
            for c in &inner.proclitics.items[..inner.proclitics.len] {
                cand.proclitics.push(*c);
            }
            cand.stem = &cand.stem[skip..cand.stem.len() - inner.enclitic.len()];
            if cand.enclitic.is_empty() {
                cand.enclitic = inner.enclitic;
            }
        }
    }
    Some(cand)
}

/// Calls `f(prefix surfaces, (char len, ln p) per prefix, rest)` for each proclitic sequence
/// that `word` starts with, including the empty one.
fn for_each_prefix<'w>(word: &'w str, mut f: impl FnMut(Clitics, &'w str)) {
    for conj in [("", 0.0f32), CONJ[0], CONJ[1]] {
        let Some(after_conj) = word.strip_prefix(conj.0) else {
            continue;
        };
        let base = if conj.0.is_empty() {
            Clitics::default()
        } else {
            Clitics::default().with(conj)
        };
        // no further proclitic
        f(base, after_conj);
        for single in [ARTICLE, LIL, FUTURE] {
            if let Some(rest) = after_conj.strip_prefix(single.0) {
                f(base.with(single), rest);
            }
        }
        // ب ك ل, optionally + ال (ل + ال is written لل, handled above)
        for &prep in PREP {
            let Some(rest) = after_conj.strip_prefix(prep.0) else {
                continue;
            };
            let with_prep = base.with(prep);
            f(with_prep, rest);
            if prep.0 != "ل" {
                if let Some(rest2) = rest.strip_prefix(ARTICLE.0) {
                    f(with_prep.with(ARTICLE), rest2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u32)]) -> FxHashMap<Box<str>, u32> {
        pairs.iter().map(|(w, c)| (Box::from(*w), *c)).collect()
    }

    fn segs(word: &str, c: &FxHashMap<Box<str>, u32>) -> Vec<String> {
        let chars: Vec<char> = word.chars().collect();
        best_split(word, c)
            .ranges(chars.len())
            .map(|(_, s, e)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn splits_where_the_stem_is_known() {
        let c = counts(&[
            ("قوات", 5000),
            ("لقوات", 300),
            ("تدريب", 900),
            ("والتدريب", 40),
            ("كتاب", 800),
        ]);
        assert_eq!(segs("لقوات", &c), ["ل", "قوات"]);
        assert_eq!(segs("والتدريب", &c), ["و", "ال", "تدريب"]);
        assert_eq!(segs("وبكتابهم", &c), ["و", "ب", "كتاب", "هم"]);
        assert_eq!(segs("للتدريب", &c), ["لل", "تدريب"]);
    }

    #[test]
    fn keeps_words_whose_remainder_is_unknown() {
        let c = counts(&[
            ("فلسطين", 9000),
            ("بيروت", 2000),
            ("ليبيا", 3000),
            ("البانيا", 50),
        ]);
        for w in ["فلسطين", "بيروت", "ليبيا", "البانيا", "الباغوز"] {
            assert_eq!(segs(w, &c), [w], "{w}");
        }
    }

    #[test]
    fn listed_words_stay_whole() {
        let c = counts(&[("عيد", 3000), ("كرة", 3000), ("طاقة", 3000), ("بعيد", 900)]);
        for w in ["بعيد", "فكرة", "بطاقة"] {
            assert_eq!(segs(w, &c), [w], "{w}");
        }
    }

    #[test]
    fn keeps_words_far_more_frequent_than_chance() {
        // كندا is far more common than ك + ندا would be.
        let c = counts(&[("كندا", 3000), ("ندا", 40)]);
        assert_eq!(segs("كندا", &c), ["كندا"]);
    }

    #[test]
    fn grammar_constraints() {
        let c = counts(&[("ان", 100000), ("الان", 5000), ("تدريب", 900), ("عن", 50000)]);
        assert_eq!(segs("الان", &c), ["الان"]);
        assert_eq!(segs("العن", &c), ["العن"]);
        // no ال with an enclitic
        assert_eq!(segs("التدريبه", &c), ["التدريبه"]);
    }

    #[test]
    fn ta_marbuta_before_enclitic() {
        let c = counts(&[("مدينة", 4000)]);
        assert_eq!(segs("مدينته", &c), ["مدينت", "ه"]);
    }

    #[test]
    fn future_marker_only_before_imperfect_verbs() {
        let c = counts(&[("يقول", 5000), ("امر", 9000), ("سامر", 10)]);
        assert_eq!(segs("سيقول", &c), ["س", "يقول"]);
        assert_eq!(segs("سامر", &c), ["سامر"]);
    }

    #[test]
    fn encode_roundtrip() {
        let c = counts(&[("تدريب", 900)]);
        let s = best_split("والتدريب", &c);
        assert_eq!(s.encode(), "12-0");
        assert_eq!(Split::decode("12-0"), Some(s));
        assert_eq!(Split::decode("-0"), Some(Split::WHOLE));
        assert_eq!(Split::decode("9-0"), None);
        assert_eq!(Split::decode("x"), None);
    }
}
