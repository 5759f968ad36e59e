//! The `search` tool: ranks articles by how often the query's words occur in
//! the title (counted twice) and the body, after the filters.

use mcpgen_runtime::{ToolContext, ToolError};

use super::App;
use super::corpus::words;
use crate::generated::search as tool;

const DEFAULT_LIMIT: i64 = 10;

impl tool::Search for App {
    async fn search(
        &self,
        _context: ToolContext,
        input: tool::SearchInput,
    ) -> Result<tool::SearchOutput, ToolError> {
        let terms = words(&input.query);
        if terms.is_empty() {
            return Err(ToolError::new("the query has no words to search for"));
        }
        let filters = input.filters.unwrap_or(tool::SearchInputFilters {
            category: None,
            date_range: None,
        });
        let mut hits: Vec<tool::SearchOutputResultsItem> = self
            .corpus
            .articles
            .iter()
            .filter(|(article, ..)| matches_filters(article, &filters))
            .filter_map(|(article, title, body)| {
                let score = terms
                    .iter()
                    .map(|term| 2 * count(title, term) + count(body, term))
                    .sum::<usize>();
                (score > 0).then(|| tool::SearchOutputResultsItem {
                    id: article.id.clone(),
                    title: article.title.clone(),
                    link: article.url.clone(),
                    category: article.category.clone(),
                    date: article.date.clone(),
                    score: score as f64,
                })
            })
            .collect();
        match input.sort_by.unwrap_or(tool::SearchInputSortBy::Relevance) {
            tool::SearchInputSortBy::Relevance => {
                hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)))
            }
            tool::SearchInputSortBy::Date => {
                hits.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)))
            }
        }
        let total = hits.len() as i64;
        hits.truncate(input.limit.unwrap_or(DEFAULT_LIMIT).max(0) as usize);
        Ok(tool::SearchOutput {
            total_count: total,
            results: hits,
        })
    }
}

fn count(words: &[String], term: &str) -> usize {
    words.iter().filter(|w| *w == term).count()
}

fn matches_filters(article: &super::corpus::Article, filters: &tool::SearchInputFilters) -> bool {
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
