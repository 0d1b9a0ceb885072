//! Currency words and the country an ambiguous one belongs to.
//!
//! دولار، يورو، ين … name one currency. دينار، ريال، جنيه، درهم and ليرة name one per country;
//! an adjective after the word fixes it (دينار أردني → JOD), else the article's country does:
//! the countries whose currency the word names are scored by the places the article mentions
//! (names, capitals and main cities, nationality adjectives) and by the outlet, and the best
//! one wins. No evidence, or a tie, leaves the amount without a code.

use khabar_analysis::Document;
use khabar_text::{Token, TokenKind};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::sync::OnceLock;

/// A currency name shared by several countries (or, for the dollar, with a default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Dinar,
    Riyal,
    Pound,
    Dirham,
    Lira,
    Dollar,
}

/// What a currency word names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Currency {
    /// One currency whatever the article: يورو → EUR.
    Fixed(&'static str),
    /// A family: the qualifier or the article's country picks the code.
    Family(Family),
}

/// A currency word after a number (with or without ال).
pub(super) fn currency_word(w: &str) -> Option<Currency> {
    use Currency::Fixed;
    use Family::*;
    let w = w.strip_prefix("ال").unwrap_or(w);
    Some(match w {
        "دولار" | "دولارا" | "دولارات" => Currency::Family(Dollar),
        "دينار" | "دينارا" | "دنانير" | "دينارات" | "ديناران" | "دينارين" => {
            Currency::Family(Dinar)
        }
        "ريال" | "ريالا" | "ريالات" | "ريالان" | "ريالين" => {
            Currency::Family(Riyal)
        }
        "جنيه" | "جنيها" | "جنيهات" | "جنيهان" | "جنيهين" => {
            Currency::Family(Pound)
        }
        "درهم" | "درهما" | "دراهم" | "درهمان" | "درهمين" => {
            Currency::Family(Dirham)
        }
        "ليرة" | "ليرات" | "ليرتان" | "ليرتين" => Currency::Family(Lira),
        "يورو" => Fixed("EUR"),
        "روبل" | "روبلا" => Fixed("RUB"),
        "يوان" => Fixed("CNY"),
        "فرنك" | "فرنكا" => Fixed("CHF"),
        "استرليني" | "استرلينيا" => Fixed("GBP"),
        "ين" => Fixed("JPY"),
        _ => return None,
    })
}

/// The code of a bare word of the family whatever the article says (the dollar's).
pub(super) fn family_default(f: Family) -> Option<&'static str> {
    (f == Family::Dollar).then_some("USD")
}

/// One country: its currency, the adjectives that name it (masculine singular; the other
/// forms are derived) and its places (the country, its capital and main cities, as written
/// after normalization, with ال where the name has it; two-word names match two tokens).
struct Country {
    family: Family,
    /// Whether a bare word of the family may name this country's currency (ريال is the
    /// Brazilian real only as ريال برازيلي).
    bare: bool,
    code: &'static str,
    adjectives: &'static [&'static str],
    places: &'static [&'static str],
}

/// Index of Saudi Arabia and Tunisia in [`COUNTRIES`] (the outlet priors).
const SA: usize = 8;
const TN: usize = 2;
/// Jordan: عمّان with its shadda is Amman (see [`Places::new`]).
const JO: usize = 0;

#[rustfmt::skip]
const COUNTRIES: &[Country] = &[
    // Dinar.
    Country { family: Family::Dinar, bare: true, code: "JOD", adjectives: &["اردني"], places: &["الاردن", "اربد"] },
    Country { family: Family::Dinar, bare: true, code: "KWD", adjectives: &["كويتي"], places: &["الكويت"] },
    Country { family: Family::Dinar, bare: true, code: "TND", adjectives: &["تونسي"],
              places: &["تونس", "صفاقس", "سوسة", "القيروان", "بنزرت", "قابس", "المنستير"] },
    Country { family: Family::Dinar, bare: true, code: "DZD", adjectives: &["جزائري"],
              places: &["الجزائر", "وهران", "قسنطينة", "عنابة"] },
    Country { family: Family::Dinar, bare: true, code: "IQD", adjectives: &["عراقي"],
              places: &["العراق", "بغداد", "البصرة", "الموصل", "اربيل", "النجف", "كربلاء"] },
    Country { family: Family::Dinar, bare: true, code: "LYD", adjectives: &["ليبي"], places: &["ليبيا", "بنغازي", "مصراتة"] },
    Country { family: Family::Dinar, bare: true, code: "BHD", adjectives: &["بحريني"], places: &["البحرين", "المنامة"] },
    Country { family: Family::Dinar, bare: true, code: "RSD", adjectives: &["صربي"], places: &["صربيا", "بلغراد"] },
    // Riyal.
    Country { family: Family::Riyal, bare: true, code: "SAR", adjectives: &["سعودي"],
              places: &["السعودية", "الرياض", "جدة", "مكة", "المدينة المنورة", "الدمام", "الطائف",
                        "تبوك", "ابها", "القصيم", "الاحساء", "جازان", "نجران", "حائل", "بريدة"] },
    Country { family: Family::Riyal, bare: true, code: "QAR", adjectives: &["قطري"], places: &["قطر", "الدوحة"] },
    Country { family: Family::Riyal, bare: true, code: "OMR", adjectives: &["عماني"],
              places: &["سلطنة عمان", "مسقط", "صلالة"] },
    Country { family: Family::Riyal, bare: true, code: "YER", adjectives: &["يمني"],
              places: &["اليمن", "صنعاء", "عدن", "تعز", "مارب"] },
    Country { family: Family::Riyal, bare: true, code: "IRR", adjectives: &["ايراني"], places: &["ايران", "طهران"] },
    Country { family: Family::Riyal, bare: false, code: "BRL", adjectives: &["برازيلي"], places: &[] },
    // Pound.
    Country { family: Family::Pound, bare: true, code: "EGP", adjectives: &["مصري"],
              places: &["مصر", "القاهرة", "الاسكندرية", "الجيزة", "اسوان", "الاقصر", "بورسعيد", "السويس"] },
    Country { family: Family::Pound, bare: true, code: "SDG", adjectives: &["سوداني"], places: &["السودان", "الخرطوم"] },
    Country { family: Family::Pound, bare: true, code: "GBP", adjectives: &["بريطاني", "استرليني"],
              places: &["بريطانيا", "لندن", "انجلترا", "مانشستر", "المملكة المتحدة"] },
    // Dirham.
    Country { family: Family::Dirham, bare: true, code: "AED", adjectives: &["اماراتي"],
              places: &["الامارات", "دبي", "ابوظبي", "ابو ظبي", "الشارقة", "عجمان", "الفجيرة"] },
    Country { family: Family::Dirham, bare: true, code: "MAD", adjectives: &["مغربي"],
              places: &["المغرب", "الرباط", "مراكش", "طنجة", "اكادير", "الدار البيضاء"] },
    // Lira.
    Country { family: Family::Lira, bare: true, code: "TRY", adjectives: &["تركي"], places: &["تركيا", "انقرة", "اسطنبول"] },
    Country { family: Family::Lira, bare: true, code: "LBP", adjectives: &["لبناني"], places: &["لبنان", "بيروت"] },
    Country { family: Family::Lira, bare: true, code: "SYP", adjectives: &["سوري"], places: &["سوريا", "سورية", "دمشق", "حلب"] },
    // Dollar (qualifiers only: a bare دولار is USD).
    Country { family: Family::Dollar, bare: false, code: "USD", adjectives: &["امريكي", "اميركي"], places: &[] },
    Country { family: Family::Dollar, bare: false, code: "CAD", adjectives: &["كندي"], places: &[] },
    Country { family: Family::Dollar, bare: false, code: "AUD", adjectives: &["استرالي"], places: &[] },
];

/// Outlets of the SaudiNewsNet collection (Saudi Arabia as a weak prior).
const SAUDI_OUTLETS: &[&str] = &[
    "sabq",
    "okaz",
    "alriyadh",
    "aljazirah",
    "alyaum",
    "aleqtisadiya",
    "alwatan",
    "almadina",
    "alweeam",
    "3alyoum",
    "was",
    "arreyadi",
    "arriyadiyah",
    "aawsat",
];

/// Masculine adjectives that are also common given names (الأمير تركي): only their other
/// forms count as places.
const NAME_LIKE: &[&str] = &["تركي"];

struct Lexicon {
    /// Place or adjective form (one or two words) → country.
    places: FxHashMap<String, usize>,
    /// Adjective after a currency word (قطري، القطري، قطرية، قطريا) → country.
    qualifiers: FxHashMap<String, usize>,
    /// First words of the two-word places.
    firsts: FxHashSet<&'static str>,
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut places = FxHashMap::default();
        let mut qualifiers = FxHashMap::default();
        let mut firsts = FxHashSet::default();
        for (k, c) in COUNTRIES.iter().enumerate() {
            for p in c.places {
                places.insert(p.to_string(), k);
                if let Some((first, _)) = p.split_once(' ') {
                    firsts.insert(first);
                }
            }
            for a in c.adjectives {
                for suffix in ["", "ة", "ا", "ون", "ين", "ات"] {
                    let form = format!("{a}{suffix}");
                    if !NAME_LIKE.contains(&form.as_str()) {
                        places.insert(form.clone(), k);
                    }
                    places.insert(format!("ال{form}"), k);
                    if matches!(suffix, "" | "ة" | "ا") {
                        qualifiers.insert(form.clone(), k);
                        qualifiers.insert(format!("ال{form}"), k);
                    }
                }
            }
        }
        Lexicon {
            places,
            qualifiers,
            firsts,
        }
    })
}

/// The code an adjective after a currency word of family `f` gives (ريال قطري → QAR).
pub(super) fn qualifier(f: Family, w: &str) -> Option<&'static str> {
    let &k = lexicon().qualifiers.get(w)?;
    (COUNTRIES[k].family == f).then_some(COUNTRIES[k].code)
}

/// Where a place mention stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    /// In the headline.
    Headline,
    /// In the body.
    Body,
    /// A qualified currency anywhere (الدينار التونسي).
    Currency,
}

/// A place mention: where it starts, which country, and where it stands.
#[derive(Debug, Clone, Copy)]
struct Mention {
    at: usize,
    country: usize,
    place: Where,
}

/// Evidence weights. A qualified currency elsewhere in the article names its currency (3);
/// the headline says what the article is about (2); a body mention before the amount sets
/// its scene (1); one after it is often a comparison (0.5). The outlet is a weak prior
/// (0.75): any mention before the amount outweighs it.
const CURRENCY: f32 = 3.0;
const HEADLINE: f32 = 2.0;
const BEFORE: f32 = 1.0;
const AFTER: f32 = 0.5;
const OUTLET: f32 = 0.75;

/// The places an article mentions, and its outlet's country.
pub(super) struct Places {
    mentions: Vec<Mention>,
    prior: Option<usize>,
}

/// True when `w` is a currency word of family `f`, with or without و/ب/ل/ف (بالدينار).
fn follows_currency(w: &str, f: Family) -> bool {
    let is = |w: &str| currency_word(w) == Some(Currency::Family(f));
    is(w) || w.strip_prefix(['و', 'ب', 'ل', 'ف']).is_some_and(is)
}

/// The forms of a token a place may hide behind: the word, without و/ف, without ب/ل/ك
/// (للأردن → الأردن).
fn forms(w: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let long = |r: &&str| r.chars().count() >= 3;
    let rest = w.strip_prefix(['و', 'ف']).filter(long);
    let core = rest.unwrap_or(w);
    let inner: Option<Cow<'_, str>> = match core.strip_prefix("لل") {
        Some(r) => Some(Cow::Owned(format!("ال{r}"))),
        None => core
            .strip_prefix(['ب', 'ل', 'ك'])
            .filter(long)
            .map(Cow::Borrowed),
    };
    std::iter::once(Cow::Borrowed(w))
        .chain(rest.map(Cow::Borrowed))
        .chain(inner)
}

impl Places {
    /// Scans the article once: place names and adjectives of [`COUNTRIES`] in its tokens
    /// (outside person names when the entity layer ran), and the outlet.
    pub(super) fn new(doc: &Document) -> Places {
        let lex = lexicon();
        let toks: &[Token] = &doc.tokens;
        let headline_end = doc.title.chars().count();
        let persons: Vec<(usize, usize)> = doc
            .entities
            .iter()
            .filter(|e| e.label == "PER")
            .map(|e| (e.start, e.end))
            .collect();
        let in_person = |t: &Token| persons.iter().any(|&(s, e)| t.start >= s && t.end <= e);
        let norm = |i: usize| toks.get(i).map_or("", |t: &Token| t.norm.as_str());
        let mut mentions = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if t.kind != TokenKind::Word {
                continue;
            }
            let prev_raw = norm(i.wrapping_sub(1));
            let prev = prev_raw.strip_prefix('و').unwrap_or(prev_raw);
            let next = norm(i + 1);
            let mut country = None;
            for f in forms(&t.norm) {
                // Two-word names first (المملكة المتحدة، الدار البيضاء).
                if lex.firsts.contains(f.as_ref()) {
                    if let Some(&k) = lex.places.get(&format!("{f} {next}")) {
                        country = Some(k);
                        break;
                    }
                }
                match f.as_ref() {
                    // عمان is Amman or Oman: عمّان with its shadda is Amman; سلطنة عمان
                    // matched above; otherwise it is no evidence.
                    "عمان" => {
                        let raw = doc.slice(t.start, t.end);
                        if raw.contains('\u{651}') {
                            country = Some(JO);
                        }
                        break;
                    }
                    // صلاة المغرب is the sunset prayer; المغرب العربي the whole Maghreb.
                    "المغرب"
                        if matches!(
                            prev,
                            "صلاة"
                                | "صلاتي"
                                | "اذان"
                                | "بعد"
                                | "قبل"
                                | "عقب"
                                | "حتي"
                                | "وقت"
                        ) || next == "العربي" =>
                    {
                        break
                    }
                    // نصف قطر: a radius.
                    "قطر" if matches!(prev, "نصف" | "بنصف") => break,
                    _ => {}
                }
                if let Some(&k) = lex.places.get(f.as_ref()) {
                    country = Some(k);
                    break;
                }
            }
            if let Some(k) = country {
                if !in_person(t) {
                    let place = if follows_currency(prev_raw, COUNTRIES[k].family) {
                        Where::Currency
                    } else if t.end <= headline_end {
                        Where::Headline
                    } else {
                        Where::Body
                    };
                    mentions.push(Mention {
                        at: t.start,
                        country: k,
                        place,
                    });
                }
            }
        }
        let prior = doc.source.as_deref().and_then(|s| {
            let s = s.trim().to_lowercase();
            if SAUDI_OUTLETS.contains(&s.as_str()) {
                Some(SA)
            } else if s.contains("jawhara") {
                Some(TN)
            } else {
                None
            }
        });
        Places { mentions, prior }
    }

    /// The code of a bare word of family `f` at char `at`: the country of the family with
    /// the most evidence; none, or a tie, gives no code.
    pub(super) fn resolve(&self, f: Family, at: usize) -> Option<&'static str> {
        let mut scores = [0f32; COUNTRIES.len()];
        if let Some(k) = self.prior {
            scores[k] += OUTLET;
        }
        for m in &self.mentions {
            scores[m.country] += match m.place {
                Where::Currency => CURRENCY,
                Where::Headline => HEADLINE,
                Where::Body if m.at < at => BEFORE,
                Where::Body => AFTER,
            };
        }
        let mut best: Option<(usize, f32)> = None;
        let mut tie = false;
        for (k, c) in COUNTRIES.iter().enumerate() {
            let s = scores[k];
            if c.family != f || !c.bare || s <= 0.0 {
                continue;
            }
            match best {
                Some((_, b)) if s < b => {}
                Some((_, b)) if s == b => tie = true,
                _ => {
                    best = Some((k, s));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(k, _)| COUNTRIES[k].code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_indices_match() {
        assert_eq!(COUNTRIES[SA].code, "SAR");
        assert_eq!(COUNTRIES[TN].code, "TND");
        assert_eq!(COUNTRIES[JO].code, "JOD");
    }

    #[test]
    fn qualifiers_in_their_forms() {
        assert_eq!(qualifier(Family::Dinar, "اردني"), Some("JOD"));
        assert_eq!(qualifier(Family::Riyal, "السعودي"), Some("SAR"));
        assert_eq!(qualifier(Family::Lira, "سورية"), Some("SYP"));
        assert_eq!(qualifier(Family::Riyal, "سعوديا"), Some("SAR"));
        assert_eq!(qualifier(Family::Pound, "استرليني"), Some("GBP"));
        // An adjective of another family is no qualifier.
        assert_eq!(qualifier(Family::Riyal, "اردني"), None);
    }
}
