//! Titles, ranks and professions written right before a personal name (`اللواء منصور
//! التركي`, `السناتور جون ماكين`, `الفنانة مها أحمد`): one list for the layers that read
//! names, the quotation speakers of `khabar-extract` and the person-span rules of
//! `khabar-ner`. Spelled as [`crate::normalize_word`] writes them (one alef, ى as ي,
//! ة kept), definite, singular. Not `السلطان`: it is a common family name as well
//! (`محمد جاسم السلطان`), and a title inside a name cuts the speaker's name short.

/// Titles written before a personal name (see the module documentation).
///
/// ```
/// use khabar_text::{normalize_word, titles::PERSON_TITLES};
/// assert!(PERSON_TITLES.contains(&normalize_word("الأميرة").as_str()));
/// ```
#[rustfmt::skip]
pub const PERSON_TITLES: &[&str] = &[
    // rulers, nobles, honorifics
    "الرئيس", "الملك", "الامير", "الاميرة", "الشيخ", "الشيخة", "اللورد", "السيد",
    "السيدة", "سمو", "معالي", "الحاج", "الزعيم", "القائد",
    // military and police ranks
    "الجنرال", "المشير", "الفريق", "اللواء", "العميد", "العقيد", "المقدم", "الرائد", "النقيب",
    "الرقيب", "الكولونيل",
    // offices
    "الوزير", "الوزيرة", "السفير", "السفيرة", "النائب", "النائبة", "السناتور", "السيناتور",
    "المستشار", "المستشارة", "المفوض", "المفوضة", "القاضي", "المدير", "المتحدث", "الناطق",
    // religion
    "الامام", "المفتي", "الداعية", "البابا", "المطران",
    // learning and professions
    "الدكتور", "الدكتورة", "د", "الاستاذ", "الاستاذة", "البروفيسور", "البروفسور", "المهندس",
    "المهندسة", "المحامي", "المحامية", "الخبير", "المحلل", "الباحث", "الباحثة", "الطالب",
    "الطالبة", "الخريج", "المبتعث", "المبتعثة",
    // arts, media, sport
    "الفنان", "الفنانة", "الممثل", "الممثلة", "المطرب", "المطربة", "الموسيقار", "الكاتب",
    "الكاتبة", "الروائي", "الشاعر", "الشاعرة", "الصحفي", "الصحفية", "الاعلامي", "الاعلامية",
    "المذيع", "المذيعة", "المخرج", "المخرجة", "النجم", "النجمة", "الاسطورة", "اللاعب",
    "المدرب", "الحكم", "الفارس",
    // people described by what they are
    "الناشط", "الناشطة", "المواطن", "المواطنة", "الشاب", "الشابة", "الطفل", "الطفلة",
];

#[cfg(test)]
mod tests {
    use super::PERSON_TITLES;
    use crate::normalize_word;

    #[test]
    fn titles_are_normalized_and_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for t in PERSON_TITLES {
            assert_eq!(normalize_word(t), *t, "{t} is not in normalized spelling");
            assert!(seen.insert(t), "{t} is listed twice");
        }
        assert!(PERSON_TITLES.contains(&normalize_word("الأمير").as_str()));
        assert!(!PERSON_TITLES.contains(&"وزارة"));
    }
}
