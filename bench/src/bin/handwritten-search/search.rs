//! The `search` tool body with its own typed arguments and result: the same
//! scoring, filters, sort orders and limit as `examples/search`'s handler.

use serde::{Deserialize, Serialize};

use crate::corpus::{Article, Corpus, words};

const DEFAULT_LIMIT: i64 = 10;
const MAX_LIMIT: i64 = 100;

/// Arguments of `search` 3.0.0.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Args {
    query: String,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    sort_by: Option<SortBy>,
    #[serde(default)]
    filters: Option<Filters>,
}

#[derive(Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SortBy {
    #[default]
    Relevance,
    Date,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Filters {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    date_range: Option<DateRange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DateRange {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// The result: the number of matches and the best of them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    total_count: i64,
    results: Vec<Hit>,
}

#[derive(Serialize)]
struct Hit {
    id: String,
    title: String,
    link: String,
    category: String,
    date: String,
    score: f64,
}

impl Args {
    /// The checks serde cannot express, which the schema advertises.
    pub fn check(&self) -> Result<(), String> {
        if self.query.is_empty() {
            return Err("`query` must not be empty".to_owned());
        }
        if let Some(limit) = self.limit
            && !(1..=MAX_LIMIT).contains(&limit)
        {
            return Err(format!("`limit` must be between 1 and {MAX_LIMIT}"));
        }
        Ok(())
    }
}

/// Ranks the articles matching `args`: title words count twice, body words once.
pub fn search(corpus: &Corpus, args: Args) -> Result<Output, String> {
    let terms = words(&args.query);
    if terms.is_empty() {
        return Err("the query has no words to search for".to_owned());
    }
    let filters = args.filters.unwrap_or_default();
    let mut hits: Vec<Hit> = corpus
        .articles
        .iter()
        .filter(|(article, ..)| matches(article, &filters))
        .filter_map(|(article, title, body)| {
            let score: usize = terms
                .iter()
                .map(|term| 2 * count(title, term) + count(body, term))
                .sum();
            (score > 0).then(|| Hit {
                id: article.id.clone(),
                title: article.title.clone(),
                link: article.url.clone(),
                category: article.category.clone(),
                date: article.date.clone(),
                score: score as f64,
            })
        })
        .collect();
    match args.sort_by.unwrap_or_default() {
        SortBy::Relevance => {
            hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)))
        }
        SortBy::Date => hits.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id))),
    }
    let total = hits.len() as i64;
    hits.truncate(args.limit.unwrap_or(DEFAULT_LIMIT).max(0) as usize);
    Ok(Output {
        total_count: total,
        results: hits,
    })
}

fn count(words: &[String], term: &str) -> usize {
    words.iter().filter(|w| *w == term).count()
}

fn matches(article: &Article, filters: &Filters) -> bool {
    if filters
        .category
        .as_ref()
        .is_some_and(|c| !c.eq_ignore_ascii_case(&article.category))
    {
        return false;
    }
    if let Some(range) = &filters.date_range {
        // ISO dates compare correctly as strings.
        if range.from.as_ref().is_some_and(|from| article.date < *from) {
            return false;
        }
        if range.to.as_ref().is_some_and(|to| article.date > *to) {
            return false;
        }
    }
    true
}
