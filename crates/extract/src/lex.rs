//! Word lists, in normalized form (no diacritics, أإآ → ا, ى → ي), built once per process.
//!
//! Everything is looked up by exact normalized word in hash maps; nothing here runs a regex.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

/// What kind of reporting cue a word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    /// A finite reporting verb: قال، يقول، أكدت ...
    Verb,
    /// A participle after the main clause: مؤكدا، مشيرة ...
    Participle,
    /// بحسب، وفق، نقلا عن ...
    Nominal,
    /// نقل (عن): the speaker follows عن.
    Transmit,
}

/// Reporting verbs: (past 3rd masc. sg., present 3rd masc. sg.), normalized.
const VERBS: &[(&str, &str)] = &[
    ("قال", "يقول"),
    ("اضاف", "يضيف"),
    ("تابع", "يتابع"),
    ("اكد", "يؤكد"),
    ("اوضح", "يوضح"),
    ("كشف", "يكشف"),
    ("اشار", "يشير"),
    ("صرح", "يصرح"),
    ("ذكر", "يذكر"),
    ("اعلن", "يعلن"),
    ("اعتبر", "يعتبر"),
    ("حذر", "يحذر"),
    ("طالب", "يطالب"),
    ("شدد", "يشدد"),
    ("لفت", "يلفت"),
    ("نوه", "ينوه"),
    ("زعم", "يزعم"),
    ("اعترف", "يعترف"),
    ("افاد", "يفيد"),
    ("ابلغ", "يبلغ"),
    ("اخبر", "يخبر"),
    ("اردف", "يردف"),
    ("استطرد", "يستطرد"),
    ("كتب", "يكتب"),
    ("غرد", "يغرد"),
    ("اجاب", "يجيب"),
    ("علق", "يعلق"),
    ("اعرب", "يعرب"),
    ("اقر", "يقر"),
    ("تساءل", "يتساءل"),
    ("ختم", "يختم"),
    ("اختتم", "يختتم"),
    ("رجح", "يرجح"),
    ("افصح", "يفصح"),
    ("نبه", "ينبه"),
    ("اعلم", "يعلم"),
    ("ابرز", "يبرز"),
    ("اورد", "يورد"),
    ("هتف", "يهتف"),
    ("صرخ", "يصرخ"),
    ("حث", "يحث"),
    ("اشاد", "يشيد"),
    ("ناشد", "يناشد"),
    ("انتقد", "ينتقد"),
    ("ابدي", "يبدي"),
    ("شرح", "يشرح"),
];

/// Cue stems whose object may be what was said, as a noun phrase ("أعرب عن رغبته في …",
/// "دعا إلى دعم …", "طالب بإقالة …"): past, present, and participle stems, grouped by the
/// preposition the verb governs (normalized; `None`: a direct object, or either).
#[rustfmt::skip]
const NOUN_OBJECT_STEMS: &[(Option<&str>, &[&str])] = &[
    (Some("ب"), &["طالب", "يطالب", "تطالب", "مطالب", "اشاد", "يشيد", "تشيد", "مشيد", "نوه", "ينوه",
                  "تنوه", "منوه"]),
    (Some("علي"), &["شدد", "يشدد", "تشدد", "مشدد", "حث", "يحث", "تحث"]),
    (Some("الي"), &["دعا", "دعت", "دعوا", "يدعو", "تدعو", "داعي", "داعين", "لفت", "يلفت", "تلفت",
                    "لافت", "اشار", "يشير", "تشير", "مشير"]),
    (Some("من"), &["حذر", "يحذر", "تحذر", "محذر"]),
    (Some("عن"), &["اعرب", "يعرب", "تعرب", "معرب", "كشف", "يكشف", "تكشف", "كاشف"]),
    (None, &["اعلن", "يعلن", "تعلن", "نفي", "نفت", "ينفي", "تنفي", "انتقد", "ينتقد", "تنتقد",
             "ناشد", "يناشد", "تناشد", "ابدي", "ابدت", "يبدي", "تبدي", "اكد", "يؤكد", "تؤكد",
             "نافي", "منتقد", "مناشد", "مؤكد", "مبدي"]),
];

/// The group of a noun-object cue stem (after و/ف), if it is one.
fn noun_object_group(bare: &str) -> Option<Option<&'static str>> {
    NOUN_OBJECT_STEMS
        .iter()
        .find(|(_, stems)| stems.iter().any(|s| bare.starts_with(s)))
        .map(|(prep, _)| *prep)
}

/// The preposition a noun-object cue governs ("طالب بـ"، "شدد على"، "دعا إلى"، "حذر من"،
/// "أعرب عن"), normalized; `None` for a direct object (نفى، انتقد، ناشد).
pub fn governed_preposition(bare: &str) -> Option<&'static str> {
    noun_object_group(bare).flatten()
}

/// Whether a cue (after و/ف) may take what was said as a noun object.
pub fn takes_noun_object(bare: &str) -> bool {
    noun_object_group(bare).is_some()
}

/// Past-tense cues whose present form is something else (أبان / يبين).
const PAST_ONLY: &[&str] = &["ابان", "بين", "وبين", "اكدوا", "اشاروا"];

/// Verbs "published/issued it" that link a document to its author (بيان أصدرته الوزارة).
#[rustfmt::skip]
const PUBLISH: &[&str] = &[
    "نشره", "نشرته", "نشرها", "نشرتها", "اصدره", "اصدرته", "اصدرها", "اصدرتها", "اورده", "اوردته",
    "اوردها", "اوردتها", "اعلنه", "اعلنته", "اعلنها", "اعلنتها", "نقلته", "نقلها", "نقلتها",
    "نقله", "اعده", "اعدته", "اعدها", "اعدتها", "ذكرته", "ذكره", "ذكرها", "ذكرتها", "قاله",
    "قالته", "بثته", "بثه", "بثها", "بثتها", "وزعته", "وزعه", "اوردتها", "تناقلته", "تناقلتها",
    "نشرتها",
];

/// Heads that report findings but are no speakers (أكدت الفحوصات أن ...).
#[rustfmt::skip]
const NON_SPEAKERS: &[&str] = &[
    "الفحوصات", "فحوصات", "التحاليل", "تحاليل", "الصور", "صور", "الارقام", "ارقام", "المؤشرات",
    "مؤشرات", "النتائج", "نتائج", "لقطات", "اللقطات", "التسجيلات", "تسجيلات", "الوقائع", "الاحداث",
    "الظروف", "التجربة", "التجارب", "الحقائق", "الواقع", "المعطيات", "الشواهد", "الادلة", "ادلة",
];

/// Verbs with a weak final letter, whose forms are listed whole.
#[rustfmt::skip]
const WEAK_VERB_FORMS: &[&str] = &[
    "نفي", "نفت", "نفوا", "نفيا", "نفتا", "ينفي", "تنفي", "ينفون", "ينفيان", "تنفيان", "روي",
    "روت", "رووا", "يروي", "تروي", "يروون", "دعا", "دعت", "دعوا", "يدعو", "تدعو", "يدعون", "ادعي",
    "ادعت", "ادعوا", "يدعي", "تدعي", "اشارت", "قالت", "قالوا", "قالا", "قالتا",
];

/// Participle bases (masc. sg. without ending): مؤكد → مؤكدا، مؤكدة، مؤكدين ...
#[rustfmt::skip]
const PARTICIPLES: &[&str] = &[
    "مؤكد", "مشير", "موضح", "مضيف", "لافت", "معتبر", "منوه", "مبين", "مشدد", "محذر", "قائل",
    "متابع", "مستطرد", "مردف", "معلن", "كاشف", "مفيد", "متسائل", "مذكر", "نافي", "مختتم", "مطالب",
    "مرجح", "منبه", "مستدرك", "مشيد", "داعي", "معرب", "منتقد", "مناشد",
];

/// Words that open a nominal attribution (بحسب مصادر ...).
#[rustfmt::skip]
const NOMINAL: &[&str] = &[
    "بحسب", "حسب", "حسبما", "بحسبما", "وفق", "وفقا", "وفقما", "طبقا", "نقلا", "وبحسب", "وحسب",
    "ووفق", "ووفقا", "وطبقا", "ونقلا",
];

/// Person titles and functions that head a speaker description.
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "وزير", "وزيرة", "رئيس", "رئيسة", "متحدث", "متحدثة", "ناطق", "ناطقة", "مدير", "مديرة", "امين",
    "سفير", "سفيرة", "قائد", "نائب", "مساعد", "مستشار", "مستشارة", "محافظ", "امير", "ملك", "ولي",
    "عضو", "مندوب", "ممثل", "مبعوث", "زعيم", "وكيل", "عميد", "لواء", "عقيد", "مقدم", "رائد",
    "نقيب", "عميد", "فريق", "الشيخ", "شيخ", "دكتور", "الدكتور", "د", "المهندس", "مهندس", "استاذ",
    "الاستاذ", "البروفيسور", "مفتي", "قاضي", "نقيب", "منسق", "مسؤول", "مسؤولة", "مسئول", "مسؤولون",
    "مسؤولين", "مسئولون", "مسئولين", "خبير", "خبيرة", "خبراء", "محلل", "محللون", "محامي", "محام",
    "مراسل", "مراسلة", "رئيسه", "مفوض", "سكرتير", "امينة", "حاكم", "والي", "عمدة", "نجم", "لاعب",
    "مدرب", "المدرب", "الرئيس", "الوزير", "المتحدث", "الناطق", "المدير", "الامين", "السفير",
    "القائد", "النائب", "المستشار", "المحافظ", "الامير", "الملك", "العضو", "المندوب", "الممثل",
    "المبعوث", "الزعيم", "الوكيل", "العميد", "اللواء", "العقيد", "المقدم", "الرائد", "النقيب",
    "الفريق", "المفتي", "القاضي", "المسؤول", "المسئول", "الخبير", "المحلل", "المحامي", "المفوض",
    "الحاكم", "الوالي", "اللاعب", "الوزيرة", "الرئيسة", "المتحدثة", "الناطقة", "المديرة",
    "الاميرة", "الملكة", "المنسق", "الباحث", "باحث", "الكاتب", "كاتب", "الصحفي", "صحفي", "الفنان",
    "الفنانة", "فنان", "فنانة", "المخرج", "مخرج", "الممثلة", "ممثلة", "المطرب", "المطربة", "رئيسا",
    "الاعلامي", "اعلامي", "الداعية", "داعية", "الامام", "امام", "البابا", "سمو", "معالي", "فخامة",
    "صاحب", "جلالة", "الجنرال", "جنرال", "الكولونيل", "الرقيب", "المشير", "الاميرال", "المرشح",
    "مرشح", "النجم", "الناشط", "ناشط", "ناشطة", "الناشطة", "المعارض", "معارض", "المحقق", "محقق",
];

/// Generic person nouns that an article uses for someone it names elsewhere.
#[rustfmt::skip]
const GENERIC_PERSONS: &[&str] = &[
    "الرجل", "المراة", "الشاب", "الشابة", "السيدة", "الفتاة", "الطفل", "الشخص", "الفتي", "العجوز",
    "الام", "الاب", "الزوج", "الزوجة", "المواطن", "المواطنة", "الطالب", "الطالبة", "المقاتل",
    "المجند", "الضحية", "المتهم", "الشاهد", "السجين", "الطبيب", "الطبيبة", "المعلم", "المعلمة",
    "اللاجئ",
];

/// Heads of organisations and bodies, indefinite and definite.
#[rustfmt::skip]
const ORGS: &[&str] = &[
    "وزارة", "هيئة", "جهاز", "مجلس", "شركة", "جامعة", "مؤسسة", "منظمة", "ادارة", "مديرية", "مكتب",
    "مركز", "لجنة", "حكومة", "جمعية", "اتحاد", "نادي", "بنك", "صندوق", "وكالة", "قيادة", "قوات",
    "شرطة", "جيش", "حزب", "حركة", "تحالف", "محكمة", "نيابة", "امانة", "بلدية", "سفارة", "قنصلية",
    "غرفة", "الوزارة", "الهيئة", "الجهاز", "المجلس", "الشركة", "الجامعة", "المؤسسة", "المنظمة",
    "الادارة", "المديرية", "المكتب", "المركز", "اللجنة", "الحكومة", "الجمعية", "الاتحاد", "النادي",
    "البنك", "الصندوق", "الوكالة", "القيادة", "القوات", "الشرطة", "الجيش", "الحزب", "الحركة",
    "التحالف", "المحكمة", "النيابة", "الامانة", "البلدية", "السفارة", "القنصلية", "الغرفة",
    "الخارجية", "الداخلية", "الدفاع", "البيت", "الكرملين", "البنتاغون", "البنتاجون", "الامم",
    "منطقة", "محافظة", "مدينة", "امن", "الامن", "الدولة", "دولة", "ديوان", "الديوان", "هيئه",
    "سلطة", "السلطة", "السلطات", "سلطات", "المرصد", "مرصد", "المصرف", "مصرف", "الصحيفة", "صحيفة",
    "قناة", "القناة", "موقع", "الموقع", "الاذاعة", "اذاعة", "التلفزيون", "تلفزيون", "مصلحة",
    "المصلحة", "فرع", "الفرع", "قطاع", "القطاع", "ادارات", "دائرة", "الدائرة", "كتيبة", "لواء",
    "فرقة", "الفرقة", "فصائل", "الفصائل", "فصيل", "كتائب", "جماعة", "الجماعة", "تنظيم", "التنظيم",
    "معهد", "المعهد", "مستشفي", "المستشفي", "الولاية", "ولاية", "السعودية", "المملكة", "الرئاسة",
    "رئاسة", "الحرس", "حرس", "الدفاع", "المدني", "النقابة", "نقابة",
];

/// Words for sources of information: بحسب مصادر، وفق بيان ...
#[rustfmt::skip]
const SOURCES: &[&str] = &[
    "مصدر", "مصادر", "المصدر", "المصادر", "بيان", "البيان", "تقرير", "التقرير", "تقارير", "وسائل",
    "شهود", "ناشطون", "ناشطين", "سكان", "مسؤول", "مسؤولين", "مسؤولون", "مسئول", "مسئولين", "وكالة",
    "الوكالة", "صحيفة", "الصحيفة", "موقع", "الموقع", "قناة", "القناة", "تصريحات", "تصريح",
    "التصريحات", "احصاءات", "الاحصاءات", "احصائيات", "الاحصائيات", "بيانات", "البيانات", "معلومات",
    "المعلومات", "رواية", "الرواية", "شاهد", "مراسل", "المراسل", "مراسلة", "روايات", "قوله",
    "قولها", "قولهم", "تعبيره", "تعبيرها", "ما", "المرصد", "مرصد", "الهيئة", "الوزارة", "اعلام",
    "الاعلام", "تغريدة", "رسالة", "الرسالة", "تقديرات", "التقديرات", "دراسة", "الدراسة", "مسح",
    "المسح", "علماء", "العلماء", "خبراء", "الخبراء", "باحثون", "باحثين", "الباحثين", "الباحثون",
    "الاطباء", "اطباء", "مراقبون", "مراقبين", "المراقبين", "محللون", "محللين", "المحللين", "بلاغ",
    "البلاغ", "مسؤولي", "مصادرنا", "المصادر", "شهود", "مصدرا", "ناطق", "متحدث", "المتحدث",
    "الناطق", "تعميم", "التعميم", "تحقيقات", "التحقيقات",
];

/// Documents that speak for their author, with the article ("التقرير" → "تقرير الهيئة").
#[rustfmt::skip]
const DOCUMENTS: &[&str] = &[
    "البيان", "التقرير", "الدراسة", "البلاغ", "الرسالة", "الصحيفة", "الوكالة", "القناة", "الموقع",
    "المسح", "الاحصاءات",
];

/// Whether a definite word names a document source that the article may have opened with
/// its author's name.
pub fn is_document(w: &str) -> bool {
    DOCUMENTS.contains(&w)
}

/// Places (besides bodies) named after a person: "كأس الأمير فيصل"، "مطار الملك فهد".
const NAMED_PLACES: &[&str] = &["كاس", "جائزة", "شارع", "طريق", "مطار", "ملعب", "استاد"];

/// Whether a word heads a place that may be named after a person.
pub fn is_named_place(w: &str) -> bool {
    NAMED_PLACES.contains(&w)
}

/// Speech events in "قال في تصريح ...": they end the speaker and never are part of it.
#[rustfmt::skip]
const SPEECH_EVENTS: &[&str] = &[
    "تصريح", "تصريحات", "بيان", "حديث", "مقابلة", "مؤتمر", "كلمة", "لقاء", "رسالة", "تغريدة",
    "تغريدات", "حوار", "اتصال", "ندوة", "خطاب", "تقرير", "منشور", "تدوينة", "تعليق", "محاضرة",
    "جلسة", "اجتماع", "افتتاح", "ختام", "معرض", "سياق", "اطار", "ظل", "حين", "وقت", "الوقت", "نفس",
    "المقابل", "بيانه", "بيانها", "كلمته", "كلمتها", "تصريحه", "تصريحها", "تصريحاته", "تصريحاتها",
    "حديثه", "حديثها", "مقابلته", "مقابلتها", "رسالته", "رسالتها", "تغريدته", "تغريدتها", "خطابه",
    "خطابها", "صفحته", "صفحتها", "حسابه", "حسابها", "الصدد", "هذا", "ذلك", "تلك", "مداخلة",
    "اتصالات", "مؤتمره",
];

/// Words that end a subject noun phrase.
#[rustfmt::skip]
const NP_STOPS: &[&str] = &[
    "ان", "انه", "انها", "انهم", "انهما", "انني", "اننا", "انهن", "بان", "بانه", "بانها", "بانهم",
    "الذي", "التي", "الذين", "اللذين", "اللتين", "اللذان", "اللواتي", "اللاتي", "والذي", "والتي",
    "كان", "كانت", "كانوا", "قد", "لقد", "لا", "لم", "لن", "ما", "هو", "هي", "هم", "هما", "انه",
    "اليوم", "امس", "غدا", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعة", "السبت",
    "يوم", "مساء", "صباح", "ظهر", "فجر", "ليلة", "خلال", "عبر", "امام", "لدي", "عن", "الي", "علي",
    "عند", "حول", "بعد", "قبل", "منذ", "حيث", "اذ", "كما", "ايضا", "كذلك", "بدوره", "بدورها",
    "بدورهم", "الاسبوع", "الشهر", "مؤخرا", "سابقا", "لاحقا", "اول", "الثلاثاء", "وفي", "ثم", "او",
    "لكن", "لكنه", "بل", "حتي", "اما", "اي", "كل", "بعض", "هذه", "هذا", "ذلك", "تلك", "هناك",
    "هنا", "اليوم", "صباح", "امسية", "عشية", "يومي", "فيما", "بينما", "قائلا", "قائلة", "قائلين",
    "بالقول", "ل", "لـ", "ب", "في", "من", "مع", "و", "ف", "بما", "مما", "ممن", "الا", "غير",
    "نفسه", "نفسها", "جهته", "جهتها", "جهتهم", "جانبه", "جانبها", "جانبهم", "ناحيته", "ناحيتها",
    "انذاك", "حينها", "حينه", "لاحق", "وقت", "اليوم", "يوما", "مجددا", "مرة", "امس", "امسا",
    "صحفي", "صحافي", "باسم", "له", "لها", "لهم", "لي", "لنا", "لك", "عليه", "عليها", "منه", "منها",
    "به", "بها", "فيه", "فيها", "ذاته", "ذاتها", "يعتقد", "تعتقد", "ان", "اذا", "لو", "قبيل",
    "اثر", "عقب", "اثناء", "خلاله", "قوله", "قولها", "قولهم", "نيابة", "بصفته", "بصفتها", "شخصيا",
    "بنفسه", "الان", "حاليا",
];

/// Audience words after ل: قال للصحفيين ... (they end the subject).
#[rustfmt::skip]
pub const AUDIENCE: &[&str] = &[
    "صحفيين", "صحافيين", "صحافة", "صحيفة", "وكالة", "قناة", "تلفزيون", "موقع", "اذاعة", "جريدة",
    "مجلة", "رويترز", "مراسل", "الشرق", "عكاظ", "سبق", "الرياض", "اليوم", "الوطن", "المدينة",
    "الجزيرة", "العربية", "صحف", "وسائل", "الصحفيين", "محطة", "شبكة",
];

/// Headline prefixes before a colon that are not speakers (بالفيديو: ...).
#[rustfmt::skip]
const HEADLINE_NON_SPEAKERS: &[&str] = &[
    "بالفيديو", "بالصور", "فيديو", "صور", "عاجل", "شاهد", "انفوجرافيك", "انفوغرافيك", "تقرير",
    "حوار", "خاص", "حصري", "مباشر", "تحقيق", "رسميا", "تعرف", "بالارقام", "بالفيديو والصور",
    "صورة", "متابعة", "ملف", "رأي", "راي", "تحليل", "مقال", "قراءة", "دراسة", "كاريكاتير",
    "بالتفاصيل", "تفاصيل", "اخبار", "خبر", "الان", "جديد", "هام", "مهم", "عاجل", "بيان", "بث",
    "بالصورة", "تغطية", "ملخص", "اهداف", "نتائج", "استطلاع", "بورتريه", "ميركاتو", "رياضة",
    "ثقافة", "اقتصاد", "سياسة", "فن", "بالوثائق", "وثائق", "بعد", "قبل", "رسمي", "تويتر", "فيسبوك",
    "انستغرام", "تحذير", "تنبيه",
];

/// Pronoun subjects that do not name a speaker (سموه = "His Highness").
#[rustfmt::skip]
pub const PRONOUNS: &[&str] = &[
    "هو", "هي", "هم", "هما", "هن", "سموه", "سموها", "معاليه", "معاليها", "فخامته", "جلالته",
    "سيادته", "سماحته", "بدوره", "بدورها",
];

/// Complementizers introducing reported content (أن / إن and forms with a pronoun).
pub fn is_complementizer(norm: &str) -> bool {
    matches!(
        norm,
        "ان" | "انه"
            | "انها"
            | "انهم"
            | "انهما"
            | "انهن"
            | "انني"
            | "اني"
            | "اننا"
            | "انا"
            | "انك"
            | "انكم"
            | "بان"
            | "بانه"
            | "بانها"
            | "بانهم"
            | "بانهما"
            | "بانني"
            | "باننا"
            | "فان"
            | "فانه"
            | "فانها"
            | "فانهم"
    )
}

/// Words before ان that make it not a complementizer of a reporting verb (بعد أن، يجب أن).
pub fn blocks_complementizer(prev: &str) -> bool {
    matches!(
        prev,
        "بعد"
            | "قبل"
            | "منذ"
            | "حتي"
            | "دون"
            | "رغم"
            | "برغم"
            | "بدون"
            | "يجب"
            | "يمكن"
            | "ينبغي"
            | "بد"
            | "لابد"
            | "يريد"
            | "تريد"
            | "يجوز"
            | "عسي"
            | "بمجرد"
            | "حين"
            | "بين"
            | "كما"
            | "ما"
            | "اما"
            | "الا"
            | "لولا"
            | "لو"
            | "يحاول"
            | "تحاول"
            | "يستطيع"
            | "تستطيع"
            | "يمكنه"
            | "يمكنها"
            | "يمكنهم"
            | "يتوقع"
            | "يفترض"
            | "المقرر"
            | "المتوقع"
            | "المنتظر"
            | "المفترض"
            | "المعروف"
            | "الواضح"
            | "الممكن"
            | "المحتمل"
            | "المرجح"
            | "شان"
            | "شانه"
            | "شانها"
            | "يعتقد"
            | "داعيا"
            | "داعية"
            | "متمنيا"
            | "متمنية"
            | "املا"
            | "راجيا"
            | "سائلا"
            | "سائلة"
            | "حيث"
            | "تعتقد"
            | "يعتقدون"
            | "يظن"
            | "يبدو"
            | "اعتقاد"
            | "اعتقادا"
            | "يامل"
            | "تامل"
            | "امل"
            | "يخشي"
            | "خشية"
    )
}

/// All the word lists.
pub struct Lex {
    pub cues: FxHashMap<&'static str, CueClass>,
    titles: FxHashSet<&'static str>,
    ranks: FxHashSet<&'static str>,
    generic: FxHashSet<&'static str>,
    /// The generic person nouns without the article (رجل).
    generic_bare: FxHashSet<&'static str>,
    orgs: FxHashSet<&'static str>,
    sources: FxHashSet<&'static str>,
    /// Speech events, bare and with a possessive pronoun ("تصريحه"، "جلسته").
    events: FxHashSet<&'static str>,
    /// Document nouns without the article, bare or with a possessive pronoun, to the bare
    /// noun ("تقريرها" → "تقرير").
    documents: FxHashMap<&'static str, &'static str>,
    np_stops: FxHashSet<&'static str>,
    headline_non: FxHashSet<&'static str>,
    publish: FxHashSet<&'static str>,
    non_speakers: FxHashSet<&'static str>,
}

fn set(words: &[&'static str]) -> FxHashSet<&'static str> {
    words.iter().copied().collect()
}

/// Leaks a generated word so the maps can hold `&'static str` (done once per process).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A noun with each possessive pronoun ("بيانه"، "بيانها"; "دراسته" for "دراسة"), generated
/// once so that a lookup stays one hash probe.
fn possessive_forms(noun: &str) -> impl Iterator<Item = String> + '_ {
    let stem = noun
        .strip_suffix('ة')
        .map_or(noun.to_string(), |s| format!("{s}ت"));
    ["ه", "ها", "هم", "هما"]
        .into_iter()
        .flat_map(move |p| [format!("{noun}{p}"), format!("{stem}{p}")])
}

impl Lex {
    fn build() -> Lex {
        let mut cues: FxHashMap<&'static str, CueClass> = FxHashMap::default();
        for &(past, present) in VERBS {
            cues.insert(past, CueClass::Verb);
            for suf in ["ت", "وا", "ا", "تا"] {
                cues.insert(leak(format!("{past}{suf}")), CueClass::Verb);
            }
            cues.insert(present, CueClass::Verb);
            let stem: String = present.chars().skip(1).collect();
            cues.insert(leak(format!("ت{stem}")), CueClass::Verb);
            for suf in ["ون", "ان"] {
                cues.insert(leak(format!("{present}{suf}")), CueClass::Verb);
                cues.insert(leak(format!("ت{stem}{suf}")), CueClass::Verb);
            }
        }
        for &w in WEAK_VERB_FORMS {
            cues.insert(w, CueClass::Verb);
        }
        for &p in PARTICIPLES {
            for suf in ["ا", "ة", "ين", "تين", "ان"] {
                cues.insert(leak(format!("{p}{suf}")), CueClass::Participle);
            }
        }
        for &n in NOMINAL {
            cues.insert(n, CueClass::Nominal);
        }
        for w in ["نقل", "نقلت", "نقلوا", "ينقل", "تنقل", "ونقل", "ونقلت"]
        {
            cues.insert(w, CueClass::Transmit);
        }
        // Words that look like cue forms but are mostly something else.
        for &w in PAST_ONLY {
            cues.insert(w, CueClass::Verb);
        }
        for w in [
            "تابعا",
            "علقا",
            "اعلم",
            "يعلم",
            "تعلم",
            "يري",
            "تري",
            "ذكرا",
            "كتبا",
            "بينا",
            "يبين",
            "يبلغ",
            "تبلغ",
            "يبلغون",
            "تبلغان",
            "يبلغان",
            "يعتبر",
            "تعتبر",
            "يعتبرون",
            "يتابع",
            "تتابع",
            "يتابعون",
            "يكتب",
            "تكتب",
            "يعلق",
            "ذكري",
        ] {
            cues.remove(w);
        }
        Lex {
            cues,
            titles: set(TITLES),
            // Rank and honorific words after which a personal name follows (اللواء منصور التركي).
            ranks: set(khabar_text::titles::PERSON_TITLES),
            generic: set(GENERIC_PERSONS),
            generic_bare: GENERIC_PERSONS
                .iter()
                .filter_map(|w| w.strip_prefix("ال"))
                .collect(),
            orgs: set(ORGS),
            sources: set(SOURCES),
            events: SPEECH_EVENTS
                .iter()
                .flat_map(|&e| std::iter::once(e).chain(possessive_forms(e).map(leak)))
                .collect(),
            documents: DOCUMENTS
                .iter()
                .filter_map(|d| d.strip_prefix("ال"))
                .flat_map(|d| {
                    std::iter::once((d, d)).chain(possessive_forms(d).map(move |f| (leak(f), d)))
                })
                .collect(),
            np_stops: set(NP_STOPS),
            headline_non: set(HEADLINE_NON_SPEAKERS),
            publish: set(PUBLISH),
            non_speakers: set(NON_SPEAKERS),
        }
    }

    /// The shared lists.
    pub fn get() -> &'static Lex {
        static LEX: OnceLock<Lex> = OnceLock::new();
        LEX.get_or_init(Lex::build)
    }

    /// The cue class of a normalized word, trying it without a conjunction و/ف too.
    pub fn cue(&self, norm: &str) -> Option<CueClass> {
        let len = norm.len();
        // Cue words are 3 to 9 letters (with a conjunction): skip the rest without hashing.
        if !(6..=20).contains(&len) {
            return None;
        }
        if let Some(&c) = self.cues.get(norm) {
            return Some(c);
        }
        let rest = strip_conj(norm)?;
        self.cues.get(rest).copied()
    }

    pub fn is_title(&self, w: &str) -> bool {
        self.titles.contains(w)
    }
    pub fn is_rank(&self, w: &str) -> bool {
        self.ranks.contains(w)
    }
    pub fn is_generic(&self, w: &str) -> bool {
        self.generic.contains(w)
    }
    /// A generic person noun with or without the article (رجل، الرجل).
    pub fn is_generic_any(&self, w: &str) -> bool {
        self.generic.contains(w) || self.generic_bare.contains(w)
    }
    pub fn is_org(&self, w: &str) -> bool {
        self.orgs.contains(w)
    }
    pub fn is_source(&self, w: &str) -> bool {
        self.sources.contains(w)
    }
    /// A speech event, bare or with a possessive pronoun ("جلسته" ← "جلسة").
    pub fn is_event(&self, w: &str) -> bool {
        self.events.contains(w)
    }
    /// The document a word without the article names, bare or with a possessive pronoun
    /// ("بيانها" → "بيان"، "دراسته" → "دراسة").
    pub fn document_noun(&self, w: &str) -> Option<&'static str> {
        self.documents.get(w).copied()
    }
    pub fn is_np_stop(&self, w: &str) -> bool {
        self.np_stops.contains(w)
    }
    pub fn is_publish_verb(&self, w: &str) -> bool {
        self.publish.contains(w)
    }
    pub fn is_non_speaker(&self, w: &str) -> bool {
        self.non_speakers.contains(w)
    }
    pub fn is_headline_non_speaker(&self, w: &str) -> bool {
        self.headline_non.contains(w)
    }
    /// Any descriptive head (title, generic person, organisation, source).
    pub fn is_descriptive(&self, w: &str) -> bool {
        self.is_title(w) || self.is_generic(w) || self.is_org(w) || self.is_source(w)
    }
}

/// An audience after ل (للصحفيين، لوكالة): it ends a subject.
pub fn is_audience(stem: &str) -> bool {
    let s = stem.strip_prefix("ال").unwrap_or(stem);
    AUDIENCE.contains(&s) || AUDIENCE.contains(&stem)
}

/// The word without a leading conjunction و or ف (only for words of 3+ letters after it).
pub fn strip_conj(norm: &str) -> Option<&str> {
    let rest = norm.strip_prefix('و').or_else(|| norm.strip_prefix('ف'))?;
    // Three letters at least (Arabic letters are two bytes in UTF-8).
    (rest.len() >= 6).then_some(rest)
}
