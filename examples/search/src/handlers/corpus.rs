//! The article archive the example searches: shipped with the crate as JSON
//! and tokenised once at start.

use mcpgen_runtime::serde::Deserialize;

/// One article.
#[derive(Debug, Deserialize)]
#[serde(crate = "mcpgen_runtime::serde")]
pub struct Article {
    pub id: String,
    pub title: String,
    pub url: String,
    pub category: String,
    /// `YYYY-MM-DD`, so string order is date order.
    pub date: String,
    pub body: String,
}

/// Articles with their words, ready to score.
pub struct Corpus {
    pub articles: Vec<(Article, Vec<String>, Vec<String>)>,
}

impl Corpus {
    /// The archive in `data/corpus.json`.
    pub fn embedded() -> Self {
        let articles: Vec<Article> =
            mcpgen_runtime::serde_json::from_str(include_str!("../../data/corpus.json"))
                .expect("data/corpus.json is a list of articles");
        Self {
            articles: articles
                .into_iter()
                .map(|article| {
                    let title = words(&article.title);
                    let body = words(&article.body);
                    (article, title, body)
                })
                .collect(),
        }
    }
}

/// Lower-cased alphanumeric words.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
