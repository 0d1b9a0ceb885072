//! # khabar-pipeline
//!
//! The full analysis of an article: text layers, then entities, then quotations and
//! quantities. The corpus and the interfaces call this; the layers below know nothing of it.
//!
//! ```
//! use khabar_pipeline::Pipeline;
//! use khabar_ingest::Article;
//! let article = Article { id: "x".into(), title: "عنوان".into(), body: "نص قصير.".into(), ..Default::default() };
//! let doc = Pipeline::default().analyze(&article);
//! assert_eq!(doc.sentences.len(), 2);
//! ```

use khabar_analysis::Document;
use khabar_ingest::Article;

/// Which layers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineOptions {
    /// Named entities.
    pub entities: bool,
    /// Quotations.
    pub quotes: bool,
    /// Numbers, quantities, dates.
    pub quantities: bool,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            entities: true,
            quotes: true,
            quantities: true,
        }
    }
}

/// The analysis pipeline.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    options: PipelineOptions,
}

impl Pipeline {
    /// A pipeline running the given layers.
    pub fn new(options: PipelineOptions) -> Self {
        Pipeline { options }
    }

    /// Analyzes one article.
    pub fn analyze(&self, article: &Article) -> Document {
        let mut doc = Document::from_article(article);
        if self.options.quantities {
            doc.quantities = khabar_extract::extract_quantities(&doc);
        }
        if self.options.quotes {
            doc.quotes = khabar_extract::extract_quotes(&doc);
        }
        doc
    }
}
