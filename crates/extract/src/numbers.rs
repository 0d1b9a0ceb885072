//! Numbers, quantities and dates on the token stream.
//!
//! One left-to-right pass; at each token the matchers are tried in a fixed order (dates,
//! then numbers with their units, then ordinals and counts) and the first match consumes
//! its tokens.

mod currency;

use crate::dates::{self, Ymd};
use currency::{Currency, Places};
use khabar_analysis::{Document, Quantity};
use khabar_text::{Token, TokenKind};
use rustc_hash::FxHashSet;
use serde_json::Value;
use std::sync::OnceLock;

/// Every word a quantity or date matcher starts on (generated from the tables below); a
/// word token outside this set is skipped with one hash lookup.
#[rustfmt::skip]
const TRIGGERS: &[&str] = &[
    "اب", "ابريل", "اثنا", "اثنان", "اثنتا", "اثنتان", "اثنتي", "اثنتين", "اثني", "اثنين", "احد",
    "احدي", "اذار", "اربع", "اربعة", "اربعمئة", "اربعمائة", "اربعون", "اربعين", "اسبوعان",
    "اسبوعين", "اغسطس", "افريل", "اكتوبر", "ال", "الاثنين", "الاحد", "الاربعاء", "الاسبوع", "الاف",
    "الافا", "الال", "الامس", "الاول", "الاولي", "التاسع", "التاسعة", "الثالث", "الثالثة",
    "الثامن", "الثامنة", "الثاني", "الثانية", "الثلاثاء", "الجمعة", "الحادي", "الحادية", "الخامس",
    "الخامسة", "الخميس", "الرابع", "الرابعة", "السابع", "السابعة", "السادس", "السادسة", "السبت",
    "السنة", "الشهر", "العاشر", "العاشرة", "العام", "الف", "الفا", "الفان", "الفي", "الفين",
    "اليوم", "امس", "اوت", "اول", "اولي", "ايار", "ايلول", "بضع", "بضعة", "بلايين", "بليون",
    "بليونا", "تاسع", "تاسعة", "ترليون", "تريليون", "تريليونا", "تسع", "تسعة", "تسعمئة", "تسعمائة",
    "تسعون", "تسعين", "تموز", "ثالث", "ثالثة", "ثامن", "ثامنة", "ثاني", "ثانية", "ثلاث", "ثلاثة",
    "ثلاثمئة", "ثلاثمائة", "ثلاثون", "ثلاثين", "ثلث", "ثمان", "ثمانمئة", "ثمانمائة", "ثمانون",
    "ثماني", "ثمانية", "ثمانيمئة", "ثمانيمائة", "ثمانين", "جانفي", "جوان", "جويلية", "حادي",
    "حادية", "حزيران", "خامس", "خامسة", "خمس", "خمسة", "خمسمئة", "خمسمائة", "خمسون", "خمسين",
    "دجنبر", "دقيقتين", "ديسمبر", "رابع", "رابعة", "ربع", "سابع", "سابعة", "سادس", "سادسة",
    "ساعتان", "ساعتين", "سبتمبر", "سبع", "سبعة", "سبعمئة", "سبعمائة", "سبعون", "سبعين", "ست",
    "ستة", "ستمئة", "ستمائة", "ستون", "ستين", "سنتان", "سنتين", "شباط", "شتنبر", "شهران", "شهرين",
    "عاشر", "عاشرة", "عامان", "عامين", "عشر", "عشرات", "عشرة", "عشرون", "عشرين", "غدا", "فبراير",
    "فيفري", "مئات", "مئة", "مئتا", "مئتان", "مئتي", "مئتين", "مئه", "مائة", "مائتا", "مائتان",
    "مائتي", "مائتين", "مائه", "مارس", "ماي", "ماية", "مايو", "مرات", "مرة", "مرتين", "ملايين",
    "مليار", "مليارا", "مليارات", "ملياري", "مليارين", "مليون", "مليونا", "مليونان", "مليوني",
    "مليونين", "نصف", "نوفمبر", "نونبر", "نيسان", "واحد", "واحدة", "يناير", "ينایر", "يوليه",
    "يوليو", "يومان", "يومين", "يونيه", "يونيو",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumWord {
    Unit(f64),
    Ten(f64),
    Hundred(f64),
    /// A scale word; `base` is its value when it stands alone (ألفان = 2000).
    Scale {
        scale: f64,
        base: f64,
        plural: bool,
    },
    Fraction(f64),
}

fn num_word(w: &str) -> Option<NumWord> {
    use NumWord::*;
    Some(match w {
        "واحد" | "واحدة" | "احد" | "احدي" => Unit(1.0),
        "اثنان" | "اثنين" | "اثنتان" | "اثنتين" | "اثنا" | "اثني" | "اثنتا" | "اثنتي" => {
            Unit(2.0)
        }
        "ثلاث" | "ثلاثة" => Unit(3.0),
        "اربع" | "اربعة" => Unit(4.0),
        "خمس" | "خمسة" => Unit(5.0),
        "ست" | "ستة" => Unit(6.0),
        "سبع" | "سبعة" => Unit(7.0),
        "ثمان" | "ثماني" | "ثمانية" => Unit(8.0),
        "تسع" | "تسعة" => Unit(9.0),
        "عشر" | "عشرة" => Unit(10.0),
        "عشرون" | "عشرين" => Ten(20.0),
        "ثلاثون" | "ثلاثين" => Ten(30.0),
        "اربعون" | "اربعين" => Ten(40.0),
        "خمسون" | "خمسين" => Ten(50.0),
        "ستون" | "ستين" => Ten(60.0),
        "سبعون" | "سبعين" => Ten(70.0),
        "ثمانون" | "ثمانين" => Ten(80.0),
        "تسعون" | "تسعين" => Ten(90.0),
        "مئة" | "مائة" | "ماية" | "مئه" | "مائه" => Hundred(100.0),
        "مئتان" | "مئتين" | "مائتان" | "مائتين" | "مئتا" | "مائتا" | "مئتي" | "مائتي" => {
            Hundred(200.0)
        }
        "ثلاثمئة" | "ثلاثمائة" => Hundred(300.0),
        "اربعمئة" | "اربعمائة" => Hundred(400.0),
        "خمسمئة" | "خمسمائة" => Hundred(500.0),
        "ستمئة" | "ستمائة" => Hundred(600.0),
        "سبعمئة" | "سبعمائة" => Hundred(700.0),
        "ثمانمئة" | "ثمانمائة" | "ثمانيمئة" | "ثمانيمائة" => {
            Hundred(800.0)
        }
        "تسعمئة" | "تسعمائة" => Hundred(900.0),
        "الف" | "الفا" => Scale {
            scale: 1e3,
            base: 1e3,
            plural: false,
        },
        "الفان" | "الفين" | "الفي" => Scale {
            scale: 1e3,
            base: 2e3,
            plural: false,
        },
        "الاف" | "الافا" => Scale {
            scale: 1e3,
            base: 1e3,
            plural: true,
        },
        "مليون" | "مليونا" => Scale {
            scale: 1e6,
            base: 1e6,
            plural: false,
        },
        "مليونان" | "مليونين" | "مليوني" => Scale {
            scale: 1e6,
            base: 2e6,
            plural: false,
        },
        "ملايين" => Scale {
            scale: 1e6,
            base: 1e6,
            plural: true,
        },
        "مليار" | "مليارا" | "بليون" | "بليونا" => Scale {
            scale: 1e9,
            base: 1e9,
            plural: false,
        },
        "مليارين" | "ملياري" => Scale {
            scale: 1e9,
            base: 2e9,
            plural: false,
        },
        "مليارات" | "بلايين" => Scale {
            scale: 1e9,
            base: 1e9,
            plural: true,
        },
        "تريليون" | "ترليون" | "تريليونا" => Scale {
            scale: 1e12,
            base: 1e12,
            plural: false,
        },
        "نصف" => Fraction(0.5),
        "ربع" => Fraction(0.25),
        "ثلث" => Fraction(1.0 / 3.0),
        _ => return None,
    })
}

fn triggers() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| TRIGGERS.iter().copied().collect())
}

/// True when a word token can start a quantity or a date: the word itself, or without a
/// conjunction or preposition (والخميس، بمئة).
fn may_trigger(w: &str) -> bool {
    let set = triggers();
    set.contains(w)
        || ['و', 'ب', 'ل', 'ف']
            .iter()
            .any(|&p| w.strip_prefix(p).is_some_and(|r| set.contains(r)))
}

/// Weekdays and day-part words (time adverbs that never belong to a speaker phrase).
pub fn is_time_word(w: &str) -> bool {
    weekday(w).is_some()
        || matches!(
            w,
            "صباح"
                | "مساء"
                | "ظهر"
                | "فجر"
                | "ليلة"
                | "امس"
                | "اليوم"
                | "غدا"
                | "صباحا"
                | "مساءا"
                | "ليلا"
        )
}

/// True for a cardinal number word (used to keep numbers out of speaker names).
pub fn is_number_word(w: &str) -> bool {
    num_word(w).is_some_and(|n| !matches!(n, NumWord::Fraction(_)))
}

/// Ordinal words, masc. and fem., with the article.
fn ordinal(w: &str) -> Option<u32> {
    let w = w.strip_prefix("ال").unwrap_or(w);
    Some(match w {
        "اول" | "اولي" => 1,
        "ثاني" | "ثانية" => 2,
        "ثالث" | "ثالثة" => 3,
        "رابع" | "رابعة" => 4,
        "خامس" | "خامسة" => 5,
        "سادس" | "سادسة" => 6,
        "سابع" | "سابعة" => 7,
        "ثامن" | "ثامنة" => 8,
        "تاسع" | "تاسعة" => 9,
        "عاشر" | "عاشرة" => 10,
        "حادي" | "حادية" => 11,
        _ => return None,
    })
}

/// Approximate counts: عشرات، مئات، آلاف ...
fn count_word(w: &str) -> Option<f64> {
    Some(match w {
        "عشرات" => 10.0,
        "مئات" => 100.0,
        "الاف" | "الافا" => 1e3,
        "ملايين" => 1e6,
        "مليارات" => 1e9,
        "بضع" | "بضعة" => 3.0,
        _ => return None,
    })
}

fn time_unit(w: &str) -> Option<&'static str> {
    Some(match w {
        "سنة" | "سنوات" | "سنين" | "سنه" | "عام" | "اعوام" | "عاما" | "سنة،" => {
            "year"
        }
        "شهر" | "اشهر" | "شهور" | "شهرا" => "month",
        "اسبوع" | "اسابيع" | "اسبوعا" => "week",
        "يوم" | "ايام" | "يوما" => "day",
        "ساعة" | "ساعات" => "hour",
        "دقيقة" | "دقائق" => "minute",
        "ثانية" | "ثوان" | "ثواني" => "second",
        "عقد" | "عقود" => "decade",
        "قرن" | "قرون" => "century",
        _ => return None,
    })
}

/// Dual time nouns: يومين = 2 days.
fn dual_time(w: &str) -> Option<&'static str> {
    Some(match w {
        "عامين" | "عامان" | "سنتين" | "سنتان" => "year",
        "شهرين" | "شهران" => "month",
        "اسبوعين" | "اسبوعان" => "week",
        "يومين" | "يومان" => "day",
        "ساعتين" | "ساعتان" => "hour",
        "دقيقتين" => "minute",
        _ => return None,
    })
}

fn weekday(w: &str) -> Option<u32> {
    Some(match w {
        "الاثنين" => 1,
        "الثلاثاء" => 2,
        "الاربعاء" => 3,
        "الخميس" => 4,
        "الجمعة" => 5,
        "السبت" => 6,
        "الاحد" => 7,
        _ => return None,
    })
}

/// Gregorian month names in their Egyptian/Gulf, Levantine and Maghrebi forms.
fn month_one(w: &str) -> Option<u32> {
    Some(match w {
        "يناير" | "جانفي" | "ينایر" => 1,
        "فبراير" | "فيفري" | "شباط" => 2,
        "مارس" | "اذار" => 3,
        "ابريل" | "افريل" | "نيسان" => 4,
        "مايو" | "ماي" | "ايار" => 5,
        "يونيو" | "يونيه" | "جوان" | "حزيران" => 6,
        "يوليو" | "يوليه" | "جويلية" | "تموز" => 7,
        "اغسطس" | "اوت" | "اب" => 8,
        "سبتمبر" | "ايلول" | "شتنبر" => 9,
        "اكتوبر" => 10,
        "نوفمبر" | "نونبر" => 11,
        "ديسمبر" | "دجنبر" => 12,
        _ => return None,
    })
}

/// Two-word Levantine months (كانون الثاني) and Hijri months; returns (month, hijri, words).
fn month_at(toks: &[Token], i: usize) -> Option<(u32, bool, usize)> {
    let w = toks[i].norm.as_str();
    let next = toks.get(i + 1).map_or("", |t| t.norm.as_str());
    let two = |m: u32, h: bool| Some((m, h, 2));
    match (w, next) {
        ("كانون", "الثاني") => return two(1, false),
        ("كانون", "الاول") => return two(12, false),
        ("تشرين", "الاول") => return two(10, false),
        ("تشرين", "الثاني") => return two(11, false),
        ("ربيع", "الاول") => return two(3, true),
        ("ربيع", "الثاني" | "الاخر") => return two(4, true),
        ("جمادي", "الاولي" | "الاول") => return two(5, true),
        ("جمادي", "الاخرة" | "الثانية" | "الاخر" | "الثاني") => {
            return two(6, true)
        }
        ("ذو" | "ذي", "القعدة") => return two(11, true),
        ("ذو" | "ذي", "الحجة") => return two(12, true),
        _ => {}
    }
    if let Some(m) = month_one(w) {
        return Some((m, false, 1));
    }
    let h = match w {
        "محرم" => 1,
        "صفر" => 2,
        "رجب" => 7,
        "شعبان" => 8,
        "رمضان" => 9,
        "شوال" => 10,
        _ => return None,
    };
    Some((h, true, 1))
}

/// Parses a digit token norm: `1,234.5`, `3.5`, `1,5`.
fn parse_digits(s: &str) -> Option<f64> {
    if s.contains(',') {
        let parts: Vec<&str> = s.split(',').collect();
        let thousands = parts.len() > 1
            && parts[1..]
                .iter()
                .all(|p| p.split('.').next().is_some_and(|q| q.len() == 3));
        if thousands {
            return s.replace(',', "").parse().ok();
        }
        return s.replace(',', ".").parse().ok();
    }
    s.parse().ok()
}

fn int_value(s: &str) -> Option<u32> {
    (s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn json_num(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

struct Cx<'a> {
    doc: &'a Document,
    toks: &'a [Token],
    date: Option<Ymd>,
    out: Vec<Quantity>,
    /// The article's places, scanned at the first currency word that needs them.
    places: Option<Places>,
}

impl<'a> Cx<'a> {
    fn norm(&self, i: usize) -> &'a str {
        let toks: &'a [Token] = self.toks;
        toks.get(i).map_or("", |t| t.norm.as_str())
    }

    /// The word without a conjunction و (وعشرين → عشرين).
    fn bare(&self, i: usize) -> &'a str {
        let w = self.norm(i);
        w.strip_prefix('و')
            .filter(|r| r.chars().count() >= 2)
            .unwrap_or(w)
    }

    fn push(
        &mut self,
        a: usize,
        b: usize,
        kind: &str,
        value: Value,
        unit: Option<&str>,
        approx: bool,
    ) {
        // Without a leading conjunction or preposition (واليوم → اليوم, بنحو → نحو).
        let (s, e) = (
            khabar_analysis::name_start(&self.toks[a]),
            self.toks[b - 1].end,
        );
        self.out.push(Quantity {
            text: self.doc.slice(s, e).to_string(),
            start: s,
            end: e,
            kind: kind.to_string(),
            value,
            unit: unit.map(str::to_string),
            approx: approx.then_some(true),
        });
    }

    /// A number made of digits and/or number words starting at `i`: (value, end, has_words).
    fn number(&self, i: usize) -> Option<(f64, usize)> {
        let mut total = 0.0;
        let mut cur = 0.0;
        let mut have = false;
        let mut last_scale = 1.0;
        let mut last_unit = false;
        let mut j = i;
        while j < self.toks.len() {
            let t = &self.toks[j];
            if t.kind == TokenKind::Number {
                if have {
                    break;
                }
                // Numbers with separators like 10:30 or 21/7 are handled elsewhere.
                cur = parse_digits(&t.norm)?;
                have = true;
                last_unit = false;
                j += 1;
                continue;
            }
            if t.kind != TokenKind::Word {
                break;
            }
            let mut w = t.norm.as_str();
            let mut conj = false;
            if w == "و" && have {
                // Spaced conjunction (خمسة و عشرين).
                match self.toks.get(j + 1).map(|t| num_word(&t.norm)) {
                    Some(Some(_)) => {
                        j += 1;
                        w = self.norm(j);
                        conj = true;
                    }
                    _ => break,
                }
            } else if let Some(r) = w
                .strip_prefix('ب')
                .filter(|r| j == i && num_word(r).is_some())
            {
                w = r; // بمئة ألف
            } else if let Some(r) = w.strip_prefix('و') {
                // وعشرين after a number; وثلاث at the start of one.
                if num_word(r).is_some() && (have || j == i) {
                    w = r;
                    conj = true;
                }
            }
            let Some(nw) = num_word(w) else { break };
            match nw {
                NumWord::Unit(u) => {
                    if u == 10.0 && have && last_unit && cur > 0.0 && cur < 10.0 && !conj {
                        cur += 10.0; // ثلاثة عشر
                    } else if have && !conj {
                        break;
                    } else if u == 1.0 && !have && !matches!(self.norm(j + 1), "عشر" | "عشرة")
                    {
                        return None; // a lone واحد is rarely a figure
                    } else {
                        cur += u;
                    }
                    last_unit = true;
                }
                NumWord::Ten(t) => {
                    if have && !conj {
                        break;
                    }
                    cur += t;
                    last_unit = false;
                }
                NumWord::Hundred(h) => {
                    if have && !conj {
                        if h == 100.0 && (1.0..=9.0).contains(&cur) && last_unit {
                            cur *= 100.0;
                        } else {
                            break;
                        }
                    } else {
                        cur += h;
                    }
                    last_unit = false;
                }
                NumWord::Scale {
                    scale,
                    base,
                    plural,
                } => {
                    if conj && cur == 0.0 {
                        break;
                    }
                    if !have || conj {
                        if plural {
                            break; // آلاف alone is a count
                        }
                        total += cur + base;
                        cur = 0.0;
                    } else {
                        let c = if cur == 0.0 { 1.0 } else { cur };
                        total += c * scale;
                        cur = 0.0;
                    }
                    last_scale = scale;
                    last_unit = false;
                }
                NumWord::Fraction(f) => {
                    if conj && have && last_scale > 1.0 && cur == 0.0 {
                        total += f * last_scale;
                        j += 1;
                        break;
                    }
                    if !have {
                        if let Some(Some(NumWord::Scale {
                            scale,
                            plural: false,
                            ..
                        })) = self.toks.get(j + 1).map(|t| num_word(&t.norm))
                        {
                            total += f * scale;
                            last_scale = scale;
                            j += 2;
                            continue;
                        }
                    }
                    break;
                }
            }
            have = true;
            j += 1;
        }
        (have && j > i).then_some((total + cur, j))
    }

    /// Approximation marker ending right before token `a`: returns its first token.
    fn approx_before(&self, a: usize) -> Option<usize> {
        if a == 0 {
            return None;
        }
        let p = self.norm(a - 1);
        let core = p.strip_prefix('و').unwrap_or(p);
        let core2 = core.strip_prefix('ب').unwrap_or(core);
        if matches!(
            core,
            "نحو" | "قرابة" | "حوالي" | "زهاء" | "قرابه" | "يناهز" | "يقارب" | "تقريبا"
        ) || matches!(core2, "نحو" | "حوالي" | "قرابة")
        {
            if a >= 2 && self.norm(a - 2) == "ما" {
                return Some(a - 2);
            }
            return Some(a - 1);
        }
        if matches!(p, "من" | "عن" | "علي") && a >= 2 {
            let q = self.norm(a - 2);
            let q = q.strip_prefix('و').unwrap_or(q);
            if matches!(q, "اكثر" | "اقل" | "ازيد" | "يزيد" | "يقل" | "يربو")
            {
                let s = if a >= 3 && matches!(self.norm(a - 3), "ما" | "لا") {
                    a - 3
                } else {
                    a - 2
                };
                let s = if s >= 1 && self.norm(s) == "لا" && self.norm(s - 1) == "ما" {
                    s - 1
                } else {
                    s
                };
                return Some(s);
            }
        }
        None
    }

    /// The code of the currency word at token `b` (after the number at `i`) and the token
    /// after the currency: a qualifier fixes it (دينار أردني), else the article's country.
    fn money_code(&mut self, c: Currency, i: usize, b: usize) -> (Option<&'static str>, usize) {
        let family = match c {
            Currency::Fixed(code) => return (Some(code), b + 1),
            Currency::Family(f) => f,
        };
        if let Some(code) = currency::qualifier(family, self.norm(b + 1)) {
            return (Some(code), b + 2);
        }
        if let Some(code) = currency::family_default(family) {
            return (Some(code), b + 1); // a bare دولار
        }
        let doc = self.doc;
        let places = self.places.get_or_insert_with(|| Places::new(doc));
        (places.resolve(family, self.toks[i].start), b + 1)
    }

    /// Tries a number with its unit at `i`; returns the next token.
    fn quantity(&mut self, i: usize) -> Option<usize> {
        let (v, b) = self.number(i)?;
        let t = &self.toks[i];
        let approx_start = self.approx_before(i);
        let a = approx_start.unwrap_or(i);
        let approx = approx_start.is_some();
        let next = self.norm(b);
        let next_bare = self.bare(b);
        let prev = if i > 0 { self.norm(i - 1) } else { "" };
        let single_digits = t.kind == TokenKind::Number && b == i + 1;
        // Percent.
        if matches!(next, "%" | "٪") {
            self.push(a, b + 1, "percent", json_num(v), None, approx);
            return Some(b + 1);
        }
        if matches!(
            next,
            "بالمئة" | "بالمائة" | "بالمية" | "المئة" | "المائة" | "بالميه"
        ) {
            self.push(a, b + 1, "percent", json_num(v), None, approx);
            return Some(b + 1);
        }
        if next == "في" && matches!(self.norm(b + 1), "المئة" | "المائة" | "المية" | "الميه")
        {
            self.push(a, b + 2, "percent", json_num(v), None, approx);
            return Some(b + 2);
        }
        // Money.
        let pre_cur = match prev {
            "$" => Some("USD"),
            "€" => Some("EUR"),
            "£" => Some("GBP"),
            _ => None,
        };
        if let Some(c) = currency::currency_word(next) {
            let (code, e) = self.money_code(c, i, b);
            self.push(a, e, "money", json_num(v), code, approx);
            return Some(e);
        }
        if let Some(c) = pre_cur {
            let start = if approx { a } else { i - 1 };
            self.push(start, b, "money", json_num(v), Some(c), approx);
            return Some(b);
        }
        // Age, duration.
        if let Some(unit) = time_unit(next) {
            let lo = a.saturating_sub(4);
            let age_ctx = (lo..a).any(|k| {
                matches!(
                    self.norm(k),
                    "العمر"
                        | "عمره"
                        | "عمرها"
                        | "عمر"
                        | "عمرهم"
                        | "يناهز"
                        | "البالغ"
                        | "البالغة"
                        | "بعمر"
                        | "عمرا"
                )
            }) || (prev == "(" && self.norm(b + 1) == ")");
            let prev_year = matches!(prev, "عام" | "العام" | "سنة" | "عامي");
            if unit == "year" && age_ctx && !prev_year {
                self.push(
                    a,
                    b + 1,
                    "age",
                    json_num(v),
                    Some("year"),
                    approx || prev == "يناهز",
                );
                return Some(b + 1);
            }
            if !prev_year {
                self.push(a, b + 1, "duration", json_num(v), Some(unit), approx);
                return Some(b + 1);
            }
        }
        // Years.
        if single_digits && t.norm.len() == 4 {
            if let Some(y) = int_value(&t.norm) {
                let hijri_mark = matches!(next, "ه" | "هـ" | "هجري" | "هجرية" | "للهجرة");
                if hijri_mark && (1300..=1500).contains(&y) {
                    self.push(a, b + 1, "year", json_num(v), Some("hijri"), approx);
                    return Some(b + 1);
                }
                if (1900..=2100).contains(&y)
                    || (matches!(prev, "عام" | "العام" | "سنة" | "عامي" | "منذ")
                        && (1000..=2100).contains(&y))
                {
                    let e = if next == "م" || next == "ميلادي" {
                        b + 1
                    } else {
                        b
                    };
                    self.push(a, e, "year", json_num(v), None, approx);
                    return Some(e);
                }
            }
        }
        if matches!(next_bare, "مرات" | "مرة") {
            self.push(a, b + 1, "number", json_num(v), Some("times"), approx);
            return Some(b + 1);
        }
        if !single_digits || !matches!(next, "/" | ":" | "-") {
            let approx = approx || self.norm(b) == "تقريبا";
            self.push(a, b, "number", json_num(v), None, approx);
        }
        Some(b)
    }

    fn ymd_value(
        &self,
        y: Option<i32>,
        m: u32,
        d: Option<u32>,
        hijri: bool,
    ) -> (Value, Option<&'static str>) {
        let unit = hijri.then_some("hijri");
        let s = match (y, d) {
            (Some(y), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(y), None) => format!("{y:04}-{m:02}"),
            (None, Some(d)) => format!("--{m:02}-{d:02}"),
            (None, None) => format!("--{m:02}"),
        };
        (Value::String(s), unit)
    }

    /// Dates: [weekday] [day] month [/ month] [year], numeric dates, relative dates.
    fn date(&mut self, i: usize) -> Option<usize> {
        let n = self.toks.len();
        let t = &self.toks[i];
        // Numeric dates: 21/7/2015, 10/10/1436هـ, 2015-07-21.
        if t.kind == TokenKind::Number
            && i + 4 < n
            && matches!(self.norm(i + 1), "/" | "-" | ".")
            && self.norm(i + 3) == self.norm(i + 1)
        {
            let (p, q, r) = (
                int_value(&t.norm),
                int_value(self.norm(i + 2)),
                int_value(self.norm(i + 4)),
            );
            let adjacent = (i..i + 4).all(|k| self.toks[k].end == self.toks[k + 1].start);
            if let (Some(p), Some(q), Some(r), true) = (p, q, r, adjacent) {
                let (y, m, d) = if p > 31 { (p, q, r) } else { (r, q, p) };
                if (1..=12).contains(&m) && (1..=31).contains(&d) && (1300..=2100).contains(&y) {
                    let mut e = i + 5;
                    let hijri_mark = matches!(self.norm(e), "ه" | "هـ");
                    let hijri = hijri_mark || y < 1600;
                    if hijri_mark || self.norm(e) == "م" {
                        e += 1;
                    }
                    let (v, u) = self.ymd_value(Some(y as i32), m, Some(d), hijri);
                    self.push(i, e, "date", v, u, false);
                    return Some(e);
                }
            }
        }
        // Month-based dates.
        let mut k = i;
        let mut day = None;
        let mut start = i;
        if let Some(wd) = weekday(t.norm.as_str()) {
            let _ = wd;
            if self
                .toks
                .get(i + 1)
                .is_some_and(|t| t.kind == TokenKind::Number)
                && self
                    .toks
                    .get(i + 2)
                    .is_some_and(|_| month_at(self.toks, i + 2).is_some())
            {
                k = i + 1;
            }
        }
        if self.toks[k].kind == TokenKind::Number && k + 1 < n {
            let d = int_value(self.norm(k)).filter(|d| (1..=31).contains(d));
            let mut mpos = k + 1;
            if self.norm(mpos) == "من" {
                mpos += 1; // 5 من يوليو
            }
            if d.is_some() && mpos < n && month_at(self.toks, mpos).is_some() {
                day = d;
                start = if k > i { i } else { k };
                k = mpos;
            }
        }
        if let Some((m, mut hijri, words)) = month_at(self.toks, k) {
            let mut e = k + words;
            // Alternative name: يوليو/تموز, تموز (يوليو).
            if matches!(self.norm(e), "/" | "(" | "-") && e + 1 < n {
                if let Some((m2, h2, w2)) = month_at(self.toks, e + 1) {
                    if m2 == m && h2 == hijri {
                        e += 1 + w2;
                        if self.norm(e) == ")" {
                            e += 1;
                        }
                    }
                }
            }
            let mut year = None;
            let mut ye = e;
            if matches!(self.norm(ye), "،" | ",") {
                ye += 1;
            }
            if matches!(self.norm(ye), "عام" | "سنة") {
                ye += 1;
            }
            if let Some(y) = int_value(self.norm(ye))
                .filter(|_| self.toks[ye].kind == TokenKind::Number && self.norm(ye).len() == 4)
            {
                year = Some(y as i32);
                e = ye + 1;
                if matches!(self.norm(e), "ه" | "هـ" | "هجري" | "هجرية") {
                    hijri = true;
                    e += 1;
                } else if self.norm(e) == "م" {
                    e += 1;
                }
            }
            let rel = match self.norm(e) {
                "الماضي" | "المنصرم" | "السابق" | "الفائت" => Some(-1),
                "المقبل" | "القادم" => Some(1),
                "الجاري" | "الحالي" => Some(0),
                _ => None,
            };
            let before_shahr = k > 0
                && matches!(
                    self.norm(k - 1),
                    "شهر"
                        | "لشهر"
                        | "وشهر"
                        | "بشهر"
                        | "خلال"
                        | "منتصف"
                        | "مطلع"
                        | "اواخر"
                        | "اوائل"
                        | "نهاية"
                        | "بداية"
                );
            let ambiguous_word = matches!(
                self.norm(k),
                "مارس"
                    | "ماي"
                    | "اب"
                    | "صفر"
                    | "محرم"
                    | "ايار"
                    | "رمضان"
                    | "شعبان"
                    | "رجب"
            );
            let anchored =
                day.is_some() || year.is_some() || rel.is_some() || (before_shahr && !hijri);
            if !anchored
                || (ambiguous_word && day.is_none() && year.is_none() && !before_shahr)
                || (hijri && day.is_none() && year.is_none())
            {
                return None;
            }
            if rel.is_some() {
                e += 1;
            }
            if !hijri && year.is_none() {
                if let Some(dd) = self.date {
                    let y = match rel {
                        Some(-1) if m >= dd.m => dd.y - 1,
                        Some(1) if m <= dd.m => dd.y + 1,
                        _ => dd.y,
                    };
                    year = Some(y);
                }
            }
            let (v, u) = self.ymd_value(year, m, day, hijri);
            self.push(start, e, "date", v, u, false);
            return Some(e);
        }
        // Weekdays and relative dates need the publication date.
        let dd = self.date?;
        let w = t.norm.as_str();
        let wb = w.strip_prefix('و').unwrap_or(w);
        let wb = if wb.starts_with("ال") || matches!(wb, "غدا" | "امس") {
            wb
        } else {
            w
        };
        if let Some(wd) = weekday(wb) {
            if i > 0 && matches!(self.norm(i - 1), "عبد" | "صلاة" | "خطبة" | "صلاه")
            {
                return None;
            }
            if wd == 1 && matches!(self.norm(i + 1), "معا" | "من") {
                return None;
            }
            let s = if i > 0 && matches!(self.norm(i - 1), "يوم" | "ويوم" | "اليوم") {
                i - 1
            } else {
                i
            };
            let (date, e) = match self.norm(i + 1) {
                "الماضي" | "المنصرم" | "الفائت" => {
                    (dates::weekday_before(dd, wd, false), i + 2)
                }
                "المقبل" | "القادم" => (dates::weekday_after(dd, wd), i + 2),
                _ => (dates::weekday_before(dd, wd, true), i + 1),
            };
            self.push(s, e, "date", Value::String(date.iso()), None, false);
            return Some(e);
        }
        let next = self.norm(i + 1);
        let rel_dir = match next {
            "الماضي" | "الماضية" | "المنصرم" | "المنصرمة" | "الفائت" | "السابق" => {
                Some(-1)
            }
            "المقبل" | "المقبلة" | "القادم" | "القادمة" => Some(1),
            "الجاري" | "الحالي" | "الحالية" | "الجارية" => Some(0),
            _ => None,
        };
        match wb {
            "امس" | "الامس" => {
                if i > 0 && matches!(self.norm(i - 1), "اول" | "وأول") {
                    self.push(
                        i - 1,
                        i + 1,
                        "date",
                        Value::String(dd.add_days(-2).iso()),
                        None,
                        false,
                    );
                } else if next == "الاول" {
                    self.push(
                        i,
                        i + 2,
                        "date",
                        Value::String(dd.add_days(-2).iso()),
                        None,
                        false,
                    );
                    return Some(i + 2);
                } else {
                    self.push(
                        i,
                        i + 1,
                        "date",
                        Value::String(dd.add_days(-1).iso()),
                        None,
                        false,
                    );
                }
                return Some(i + 1);
            }
            "اليوم" => {
                let prev = if i > 0 { self.norm(i - 1) } else { "" };
                if matches!(prev, "ذلك" | "نفس" | "ذات" | "هذا" | "طوال" | "مدار")
                    || matches!(
                        next,
                        "التالي"
                            | "نفسه"
                            | "الوطني"
                            | "العالمي"
                            | "الاول"
                            | "الثاني"
                            | "الثالث"
                            | "الاخير"
                    )
                {
                    return None;
                }
                self.push(i, i + 1, "date", Value::String(dd.iso()), None, false);
                return Some(i + 1);
            }
            "غدا" => {
                self.push(
                    i,
                    i + 1,
                    "date",
                    Value::String(dd.add_days(1).iso()),
                    None,
                    false,
                );
                return Some(i + 1);
            }
            "الشهر" => {
                let d = rel_dir?;
                let (y, m) = dates::add_months(dd.y, dd.m, d);
                self.push(
                    i,
                    i + 2,
                    "date",
                    Value::String(format!("{y:04}-{m:02}")),
                    None,
                    false,
                );
                return Some(i + 2);
            }
            "العام" | "السنة" => {
                let d = rel_dir?;
                self.push(
                    i,
                    i + 2,
                    "date",
                    Value::String(format!("{:04}", dd.y + d)),
                    None,
                    false,
                );
                return Some(i + 2);
            }
            "الاسبوع" => {
                let d = rel_dir?;
                let (y, wk) = dd.add_days(7 * d as i64).iso_week();
                self.push(
                    i,
                    i + 2,
                    "date",
                    Value::String(format!("{y:04}-W{wk:02}")),
                    None,
                    false,
                );
                return Some(i + 2);
            }
            _ => {}
        }
        None
    }

    fn other(&mut self, i: usize) -> Option<usize> {
        let w = self.norm(i);
        let wb = self.bare(i);
        // Counts: عشرات، آلاف، عشرات الآلاف.
        if let Some(c) = count_word(wb) {
            let mut v = c;
            let mut e = i + 1;
            let nx = self.norm(e);
            if let Some(c2) = count_word(nx.strip_prefix("ال").unwrap_or(nx)) {
                v *= c2;
                e += 1;
            }
            let s = self.approx_before(i).unwrap_or(i);
            self.push(s, e, "count", json_num(v), None, true);
            return Some(e);
        }
        if let Some(unit) = dual_time(wb) {
            let s = self.approx_before(i).unwrap_or(i);
            self.push(s, i + 1, "duration", json_num(2.0), Some(unit), s != i);
            return Some(i + 1);
        }
        if wb == "مرتين" {
            self.push(i, i + 1, "number", json_num(2.0), Some("times"), false);
            return Some(i + 1);
        }
        // Ordinals, compound ones too (الحادي عشر).
        if let Some(o) = ordinal(w).or_else(|| ordinal(wb).filter(|_| wb.starts_with("ال"))) {
            if w == "اول" && matches!(self.norm(i + 1), "امس" | "من") {
                return None;
            }
            let mut e = i + 1;
            let mut v = o;
            if matches!(self.norm(e), "عشر" | "عشرة") && (o <= 9 || o == 11) {
                v = if o == 11 { 11 } else { o + 10 };
                e += 1;
            } else if o == 11 {
                return None;
            }
            self.push(i, e, "ordinal", json_num(v as f64), None, false);
            return Some(e);
        }
        None
    }
}

/// Extracts the quantities of a document.
pub fn extract(doc: &Document) -> Vec<Quantity> {
    let toks = &doc.tokens[..];
    let mut cx = Cx {
        doc,
        toks,
        date: doc.date.as_deref().and_then(dates::parse_doc_date),
        out: Vec::new(),
        places: None,
    };
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if !(t.kind == TokenKind::Number || t.kind == TokenKind::Word && may_trigger(&t.norm)) {
            i += 1;
            continue;
        }
        if let Some(e) = cx.date(i) {
            i = e.max(i + 1);
            continue;
        }
        if let Some(e) = cx.quantity(i) {
            i = e.max(i + 1);
            continue;
        }
        if t.kind == TokenKind::Word {
            if let Some(e) = cx.other(i) {
                i = e.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    cx.out
}
