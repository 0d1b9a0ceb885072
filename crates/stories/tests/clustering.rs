//! Stories and near-duplicates on small made-up collections.

use khabar_analysis::Document;
use khabar_ingest::Article;
use khabar_keywords::TermTable;
use khabar_stories::{cluster, Features, Input, Params};

struct Item {
    id: String,
    time: Option<i64>,
    features: Features,
    entities: Vec<i64>,
}

fn item(id: &str, hours: Option<i64>, title: &str, body: &str, entities: &[i64]) -> Item {
    let a = Article {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        ..Default::default()
    };
    let mut doc = Document::from_article(&a);
    khabar_keywords::annotate(&mut doc, TermTable::shipped());
    Item {
        id: id.into(),
        time: hours.map(|h| 1_438_000_000 + h * 3600),
        features: Features::from_document(&doc, TermTable::shipped()),
        entities: entities.to_vec(),
    }
}

fn inputs(items: &[Item]) -> Vec<Input<'_>> {
    items
        .iter()
        .map(|x| Input {
            id: &x.id,
            time: x.time,
            features: &x.features,
            entities: &x.entities,
        })
        .collect()
}

const DAM: &str = "افتتح وزير المياه سد وادي الرمال الجديد في محافظة الشمال بطاقة تخزين تبلغ أربعين مليون متر مكعب، \
ويهدف السد إلى حماية القرى من السيول وتغذية الآبار الجوفية. وقال الوزير إن تكلفة السد بلغت مئتين وخمسين مليون ريال.";
const DAM2: &str = "دشن وزير المياه مشروع سد وادي الرمال في محافظة الشمال، وتبلغ سعة السد التخزينية أربعين مليون متر مكعب. \
وأوضح أن السد سيحمي القرى من أخطار السيول ويغذي الآبار الجوفية بتكلفة مئتين وخمسين مليون ريال.";
const MATCH: &str =
    "فاز نادي النجوم على ضيفه نادي الساحل بثلاثة أهداف مقابل هدف في المباراة التي جمعتهما مساء أمس \
على ملعب المدينة الرياضية ضمن الجولة الخامسة من الدوري، وسجل المهاجم الشاب هدفين في الشوط الثاني.";
const FIRE: &str =
    "اندلع حريق في مستودع للأخشاب بالمنطقة الصناعية فجر اليوم، وتمكنت فرق الدفاع المدني من السيطرة \
على النيران بعد ثلاث ساعات دون تسجيل إصابات، وفتحت الجهات المختصة تحقيقا في أسباب الحريق.";

fn collection() -> Vec<Item> {
    vec![
        item("a1", Some(0), "افتتاح سد وادي الرمال", DAM, &[7, 9]),
        item(
            "b1",
            Some(2),
            "وزير المياه يدشن سد وادي الرمال",
            DAM2,
            &[7, 9],
        ),
        item("c1", Some(3), "النجوم يهزم الساحل بثلاثية", MATCH, &[12, 13]),
        item("d1", Some(4), "حريق في مستودع للأخشاب", FIRE, &[]),
        // a word-for-word copy of the first report, with its own headline
        item("e1", Some(5), "سد جديد في الشمال", DAM, &[7]),
    ]
}

#[test]
fn reports_of_one_event_form_a_story_and_others_stay_apart() {
    let items = collection();
    let c = cluster(&inputs(&items), &Params::default());
    let s = &c.story_of;
    assert_eq!(s[0], s[1], "two rewrites of the dam opening");
    assert_eq!(s[0], s[4], "the copy joins its original's story");
    assert_ne!(s[0], s[2]);
    assert_ne!(s[0], s[3]);
    assert_ne!(s[2], s[3]);
    assert_eq!(c.stories.len(), 3);
    let dam = &c.stories[s[0]];
    assert_eq!(dam.members, vec![0, 1, 4], "members in time order");
    assert!(dam.by_centrality.len() == 3 && dam.members.contains(&dam.central));
}

#[test]
fn copies_are_grouped_with_their_similarity() {
    let items = collection();
    let c = cluster(&inputs(&items), &Params::default());
    assert_eq!(c.duplicates.len(), 1, "{:?}", c.duplicates);
    let g = &c.duplicates[0].members;
    assert_eq!(g[0], (0, 1.0), "the earliest copy first");
    assert_eq!(g.len(), 2);
    assert_eq!(g[1].0, 4);
    assert!(g[1].1 >= 0.99, "the same body: {}", g[1].1);
}

#[test]
fn the_input_order_changes_nothing() {
    let items = collection();
    let c = cluster(&inputs(&items), &Params::default());
    let mut reversed: Vec<Item> = collection();
    reversed.reverse();
    let r = cluster(&inputs(&reversed), &Params::default());
    let n = items.len();
    for i in 0..n {
        for j in 0..n {
            assert_eq!(
                c.story_of[i] == c.story_of[j],
                r.story_of[n - 1 - i] == r.story_of[n - 1 - j]
            );
        }
        assert_eq!(
            c.stories[c.story_of[i]].id,
            r.stories[r.story_of[n - 1 - i]].id,
            "story ids are stable"
        );
    }
}

#[test]
fn a_story_closes_after_days_without_news() {
    let items = vec![
        item("a1", Some(0), "افتتاح سد وادي الرمال", DAM, &[7, 9]),
        item(
            "b1",
            Some(24 * 10),
            "وزير المياه يدشن سد وادي الرمال",
            DAM2,
            &[7, 9],
        ),
    ];
    let c = cluster(&inputs(&items), &Params::default());
    assert_ne!(
        c.story_of[0], c.story_of[1],
        "ten days later is a new story"
    );
    let wide = Params {
        window_secs: 30 * 86_400,
        ..Params::default()
    };
    let c = cluster(&inputs(&items), &wide);
    assert_eq!(c.story_of[0], c.story_of[1]);
}

#[test]
fn undated_articles_cluster_among_themselves() {
    let items = vec![
        item("a1", Some(0), "افتتاح سد وادي الرمال", DAM, &[7, 9]),
        item("u1", None, "وزير المياه يدشن سد وادي الرمال", DAM2, &[7, 9]),
        item("u2", None, "افتتاح سد وادي الرمال", DAM, &[7, 9]),
    ];
    let c = cluster(&inputs(&items), &Params::default());
    assert_ne!(c.story_of[0], c.story_of[1]);
    assert_eq!(c.story_of[1], c.story_of[2]);
}

#[test]
fn empty_bodies_and_empty_collections() {
    assert_eq!(
        cluster(&[], &Params::default()),
        khabar_stories::Clustering::default()
    );
    let items = vec![
        item("x", Some(0), "", "", &[]),
        item("y", Some(0), "", "", &[]),
        item("z", Some(0), "كلمة", "", &[]),
    ];
    let c = cluster(&inputs(&items), &Params::default());
    assert_eq!(c.story_of.len(), 3);
    assert_eq!(c.stories.len(), 3, "nothing in common, nothing joined");
    assert!(c.duplicates.is_empty(), "empty texts are not copies");
}

#[test]
fn identical_ids_still_give_each_input_one_story() {
    let items = vec![
        item("same", Some(0), "افتتاح سد وادي الرمال", DAM, &[]),
        item("same", Some(0), "حريق في مستودع للأخشاب", FIRE, &[]),
    ];
    let c = cluster(&inputs(&items), &Params::default());
    assert_eq!(c.stories.len(), 2);
    assert_ne!(c.stories[0].id, c.stories[1].id, "ids stay unique");
}

#[test]
fn features_roundtrip_and_corrupt_records_are_errors() {
    let it = item("a1", Some(0), "افتتاح سد وادي الرمال", DAM, &[]);
    let bytes = it.features.to_bytes();
    assert_eq!(Features::from_bytes(&bytes).unwrap(), it.features);
    assert!(!it.features.keywords.is_empty() && !it.features.summary.is_empty());
    for cut in [0, 1, 5, bytes.len() / 2, bytes.len() - 1] {
        assert!(Features::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Features::from_bytes(&longer).is_err());
    let mut bad = bytes.clone();
    bad[0] = 9;
    assert!(Features::from_bytes(&bad).is_err());
    // a count claiming more elements than the record holds
    let mut huge = bytes;
    huge[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(Features::from_bytes(&huge).is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Any collection: every article in exactly one story, stories non-empty with unique
    /// ids, members in time order; duplicate groups hold distinct articles.
    #[test]
    fn partitions_are_complete(texts in proptest::collection::vec(("\\PC{0,30}", proptest::option::of(0i64..200)), 0..12)) {
        let pool = [DAM, DAM2, MATCH, FIRE];
        let items: Vec<Item> = texts
            .iter()
            .enumerate()
            .map(|(i, (t, h))| item(&format!("p{i}"), *h, t, pool[i % 4], &[]))
            .collect();
        let c = cluster(&inputs(&items), &Params::default());
        proptest::prop_assert_eq!(c.story_of.len(), items.len());
        let mut seen = vec![0; items.len()];
        let mut ids = std::collections::HashSet::new();
        for (k, s) in c.stories.iter().enumerate() {
            proptest::prop_assert!(!s.members.is_empty());
            proptest::prop_assert!(ids.insert(s.id) && s.id >= 0 && s.id < (1 << 53));
            for &m in &s.members {
                seen[m] += 1;
                proptest::prop_assert_eq!(c.story_of[m], k);
            }
        }
        proptest::prop_assert!(seen.iter().all(|&n| n == 1));
        for g in &c.duplicates {
            let mut m: Vec<usize> = g.members.iter().map(|x| x.0).collect();
            m.sort_unstable();
            m.dedup();
            proptest::prop_assert_eq!(m.len(), g.members.len());
        }
    }
}

#[test]
fn a_day_of_20000_articles_loses_none() {
    // synthetic features: 2,000 events of ten reports each, all on one day, plus a shared
    // boilerplate signature for a tenth of them (one template text)
    let mut features = Vec::new();
    for i in 0..20_000u32 {
        let event = i / 10;
        let mut terms: Vec<(u32, f32)> = (0..12).map(|k| (event * 16 + k, 1.0)).collect();
        terms.push((1_000_000 + i, 1.0)); // a word of its own
        terms.push((2_000_000 + i % 7, 1.0)); // common words
        terms.sort_by_key(|t| t.0);
        let signature = if i % 10 == 0 {
            vec![7; khabar_stories::minhash::SIGNATURE_LEN]
        } else {
            vec![100 + i; khabar_stories::minhash::SIGNATURE_LEN]
        };
        features.push(Features {
            terms,
            title: vec![event * 16],
            signature,
            ..Default::default()
        });
    }
    let ids: Vec<String> = (0..features.len()).map(|i| format!("n{i:05}")).collect();
    let inputs: Vec<Input> = features
        .iter()
        .zip(&ids)
        .enumerate()
        .map(|(i, (f, id))| Input {
            id,
            time: Some(1_438_000_000 + i as i64),
            features: f,
            entities: &[],
        })
        .collect();
    let c = cluster(&inputs, &Params::default());
    assert_eq!(c.story_of.len(), 20_000);
    let total: usize = c.stories.iter().map(|s| s.members.len()).sum();
    assert_eq!(total, 20_000, "no article lost or counted twice");
    // reports of one event end up together
    assert!(
        c.stories.len() <= 2_000 + 200,
        "{} stories",
        c.stories.len()
    );
    assert_eq!(c.duplicates.len(), 1, "the template copies form one group");
    assert_eq!(c.duplicates[0].members.len(), 2_000);
}

#[test]
fn a_5_mb_body_is_handled() {
    let body = DAM.repeat(5_000_000 / DAM.len() + 1);
    assert!(body.len() >= 5_000_000);
    let items = vec![
        item("big", Some(0), "افتتاح سد وادي الرمال", &body, &[]),
        item("b1", Some(2), "وزير المياه يدشن سد وادي الرمال", DAM2, &[]),
    ];
    assert!(items[0].features.terms.len() <= 80);
    let bytes = items[0].features.to_bytes();
    assert!(bytes.len() < 16_384, "{} bytes", bytes.len());
    let c = cluster(&inputs(&items), &Params::default());
    assert_eq!(c.story_of.len(), 2);
}
