//! The `article` tool: one article by id, its body cut to the tenant's
//! `excerpt_chars`, with the number of times the caller's tenant read it
//! (kept in the tenant's own storage, so tenants never see each other's
//! counts).

use mcpgen_runtime::serde_json::{Value, json};
use mcpgen_runtime::{ToolContext, ToolError};

use super::App;
use crate::generated::article as tool;

impl tool::Article for App {
    async fn article(
        &self,
        context: ToolContext,
        input: tool::ArticleInput,
    ) -> Result<tool::ArticleOutput, ToolError> {
        let Some((article, ..)) = self
            .corpus
            .articles
            .iter()
            .find(|(article, ..)| article.id == input.id)
        else {
            return Err(ToolError::new(format!(
                "there is no article `{}`",
                input.id
            )));
        };
        let body = match context.tenant_config()["excerpt_chars"].as_u64() {
            Some(limit) => article.body.chars().take(limit as usize).collect(),
            None => article.body.clone(),
        };
        let reads = context
            .storage()
            .update(&format!("reads/{}", article.id), |reads| {
                json!(reads.and_then(Value::as_i64).unwrap_or(0) + 1)
            });
        Ok(tool::ArticleOutput {
            id: article.id.clone(),
            title: article.title.clone(),
            link: article.url.clone(),
            category: article.category.clone(),
            date: article.date.clone(),
            body,
            reads: reads.as_i64().unwrap_or(1),
        })
    }
}
