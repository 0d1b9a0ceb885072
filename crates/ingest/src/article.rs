//! The [`Article`] type and the text clean-up applied to headline-first text files.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// One news article as read from an input file.
///
/// `date`, `source` and `url` are kept verbatim (no date parsing here: formats differ between
/// outlets and the layers above decide what they need).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Identifier from the input, or derived from the file name when the input has none.
    pub id: String,
    /// Headline, e.g. `"افتتاح معرض الكتاب في الرياض"`.
    pub title: String,
    /// Body text; paragraphs are separated by `\n`.
    pub body: String,
    /// Publication date as written in the input, e.g. `"2015-07-21 02:51:32"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Outlet, e.g. `"aawsat"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Address of the article on the web.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Restores paragraph breaks that a scraping tool glued together as `".,"`.
///
/// Each `.,` together with the horizontal whitespace after it becomes `.` followed by a line
/// break, provided the `.` is not preceded by an ASCII letter or digit (so abbreviations and
/// numbers such as `e.g.,` or `3.,` are left alone). When the glue is already followed by a line
/// break or ends the text, only the comma (and trailing spaces) are dropped, so no blank lines
/// are invented. Ordinary commas, Arabic `،` included, are never touched. The function is
/// idempotent and borrows its input when there is nothing to restore.
///
/// ```
/// use khabar_ingest::restore_paragraphs;
/// let glued = "وصل الوفد إلى القاهرة صباحا., وقال المتحدث إن المحادثات بدأت.";
/// assert_eq!(
///     restore_paragraphs(glued),
///     "وصل الوفد إلى القاهرة صباحا.\nوقال المتحدث إن المحادثات بدأت."
/// );
/// ```
pub fn restore_paragraphs(body: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    // `copied` is the end of the input already accounted for in `out`.
    let mut copied = 0;
    for (dot, _) in body.match_indices(".,") {
        if dot < copied {
            continue;
        }
        let before = body[..dot].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let after_comma = dot + 2;
        let rest = &body[after_comma..];
        let spaces = rest
            .char_indices()
            .find(|&(_, c)| !is_horizontal_space(c))
            .map_or(rest.len(), |(i, _)| i);
        let next = rest[spaces..].chars().next();
        let out = out.get_or_insert_with(|| String::with_capacity(body.len()));
        out.push_str(&body[copied..=dot]);
        if next.is_some_and(|c| !is_line_break(c)) {
            out.push('\n');
        }
        copied = after_comma + spaces;
    }
    match out {
        None => Cow::Borrowed(body),
        Some(mut out) => {
            out.push_str(&body[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Converts Windows (`\r\n`) and old Mac (`\r`) line endings to `\n`; borrows when there is no
/// `\r`.
pub fn normalize_line_endings(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(cr) = rest.find('\r') {
        out.push_str(&rest[..cr]);
        out.push('\n');
        rest = &rest[cr + 1..];
        // A CRLF pair is one line break, not two.
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Parses a headline-first text article: the first non-blank line (trimmed) is the title, the
/// rest (trimmed, line endings normalized, glued paragraphs restored) is the body.
///
/// A leading byte-order mark is ignored. An input without any non-blank line gives an empty
/// title and body; [`crate::open`] reports such files as rejected.
///
/// ```
/// use khabar_ingest::parse_text_article;
/// let a = parse_text_article("  افتتاح معرض الكتاب \r\n\r\nافتتح المعرض أبوابه., وحضر الوزير.\r\n", "kitab");
/// assert_eq!(a.title, "افتتاح معرض الكتاب");
/// assert_eq!(a.body, "افتتح المعرض أبوابه.\nوحضر الوزير.");
/// assert_eq!(a.id, "kitab");
/// ```
pub fn parse_text_article(text: &str, id: &str) -> Article {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let text = normalize_line_endings(text);
    let mut rest: &str = &text;
    let mut title = "";
    while !rest.is_empty() {
        let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
        rest = tail;
        if !line.trim().is_empty() {
            title = line.trim();
            break;
        }
    }
    let body = restore_paragraphs(rest.trim());
    Article {
        id: id.to_owned(),
        title: title.to_owned(),
        body: body.into_owned(),
        date: None,
        source: None,
        url: None,
    }
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fn is_horizontal_space(c: char) -> bool {
    c.is_whitespace() && !is_line_break(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_paragraphs_are_split() {
        let glued = "عقد المجلس جلسته الأولى., وناقش الأعضاء الميزانية., وتقرر تأجيل التصويت.";
        let restored = restore_paragraphs(glued);
        assert!(matches!(restored, Cow::Owned(_)));
        assert_eq!(
            restored,
            "عقد المجلس جلسته الأولى.\nوناقش الأعضاء الميزانية.\nوتقرر تأجيل التصويت."
        );
    }

    #[test]
    fn quoted_glue_is_split() {
        let glued = "ووصف الهجوم بأنه \"جبان\"., وأضاف أن التحقيق مستمر.";
        assert_eq!(
            restore_paragraphs(glued),
            "ووصف الهجوم بأنه \"جبان\".\nوأضاف أن التحقيق مستمر."
        );
    }

    #[test]
    fn several_spaces_and_tabs_after_glue_are_eaten() {
        assert_eq!(restore_paragraphs("انتهى.,  \t\u{A0}بدأ"), "انتهى.\nبدأ");
        assert_eq!(restore_paragraphs("انتهى.,بدأ"), "انتهى.\nبدأ");
    }

    #[test]
    fn glue_before_line_break_or_at_end_does_not_add_blank_lines() {
        assert_eq!(restore_paragraphs("انتهى., \nبدأ"), "انتهى.\nبدأ");
        assert_eq!(restore_paragraphs("انتهى الاجتماع.,"), "انتهى الاجتماع.");
        assert_eq!(restore_paragraphs("انتهى الاجتماع.,  "), "انتهى الاجتماع.");
    }

    #[test]
    fn ordinary_commas_are_untouched() {
        let text = "قال الوزير، في مؤتمر صحفي، إن الأسعار ستنخفض, وإن الرواتب سترتفع. ثم غادر ،";
        let restored = restore_paragraphs(text);
        assert!(matches!(restored, Cow::Borrowed(_)));
        assert_eq!(restored, text);
    }

    #[test]
    fn abbreviations_and_numbers_are_untouched() {
        for text in [
            "See e.g., the report.",
            "النسخة 3., وليس 4",
            "etc., and so on",
            "U.S., Britain",
        ] {
            let restored = restore_paragraphs(text);
            assert!(matches!(restored, Cow::Borrowed(_)), "{text}");
            assert_eq!(restored, text);
        }
    }

    #[test]
    fn arabic_comma_after_period_is_untouched() {
        let text = "انتهى.، وبدأ";
        assert_eq!(restore_paragraphs(text), text);
    }

    #[test]
    fn restoration_is_idempotent() {
        for text in [
            "أ., ب., ج",
            "\"نعم\"., \"لا\"., ",
            ".,.,., x",
            "a.,., b",
            "., ,.,",
        ] {
            let once = restore_paragraphs(text).into_owned();
            let twice = restore_paragraphs(&once);
            assert_eq!(twice, once, "input {text:?}");
            assert!(matches!(twice, Cow::Borrowed(_)), "input {text:?}");
        }
    }

    #[test]
    fn line_endings_are_normalized() {
        assert!(matches!(normalize_line_endings("أ\nب"), Cow::Borrowed(_)));
        assert_eq!(
            normalize_line_endings("أ\r\nب\rج\r\n\r\nد\r"),
            "أ\nب\nج\n\nد\n"
        );
        assert_eq!(normalize_line_endings("\r\r\n"), "\n\n");
    }

    #[test]
    fn text_article_title_and_body() {
        let text = "\u{FEFF}\n  \n  ارتفاع أسعار النفط  \r\n\r\nارتفعت الأسعار صباح اليوم., وتوقع المحللون استمرار الارتفاع.\r\nسطر ثالث.  \n\n";
        let article = parse_text_article(text, "naft");
        assert_eq!(article.id, "naft");
        assert_eq!(article.title, "ارتفاع أسعار النفط");
        assert_eq!(
            article.body,
            "ارتفعت الأسعار صباح اليوم.\nوتوقع المحللون استمرار الارتفاع.\nسطر ثالث."
        );
        assert_eq!(
            (article.date, article.source, article.url),
            (None, None, None)
        );
    }

    #[test]
    fn text_article_without_body_or_title() {
        let only_title = parse_text_article("عنوان فقط", "t");
        assert_eq!(
            (only_title.title.as_str(), only_title.body.as_str()),
            ("عنوان فقط", "")
        );
        let empty = parse_text_article(" \n\t\n", "e");
        assert_eq!((empty.title.as_str(), empty.body.as_str()), ("", ""));
    }

    #[test]
    fn article_json_round_trip_skips_absent_fields() {
        let article = parse_text_article("عنوان\nنص", "x");
        let json = serde_json::to_string(&article).unwrap();
        assert_eq!(json, r#"{"id":"x","title":"عنوان","body":"نص"}"#);
        assert_eq!(serde_json::from_str::<Article>(&json).unwrap(), article);
    }
}
