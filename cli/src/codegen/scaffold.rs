//! Emits the files a user owns once they exist: `src/main.rs`, the handlers
//! module and one handler stub per tool.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::inner_doc_attrs;
use crate::ir::{Ir, Tool};

/// `src/main.rs`.
pub fn main_rs(ir: &Ir) -> TokenStream {
    let doc = inner_doc_attrs(&format!("The `{}` MCP server.", ir.server.name));
    quote! {
        #doc

        /// Written by `mcpgen generate`, which formats it itself: `rustfmt::skip`
        /// keeps `cargo fmt` from changing it and tripping `mcpgen generate --check`.
        #[rustfmt::skip]
        mod generated;
        mod handlers;

        fn main() -> std::process::ExitCode {
            mcpgen_runtime::cli::main(generated::server(handlers::App::default()))
        }
    }
}

/// `src/handlers/mod.rs`.
pub fn handlers_mod(ir: &Ir) -> TokenStream {
    // In rustfmt's order (bytewise), so `cargo fmt` leaves the file alone.
    let mut modules: Vec<_> = ir.tools.iter().map(|t| &t.module_ident).collect();
    modules.sort_by(|a, b| a.name().cmp(b.name()));
    quote! {
        //! Tool bodies: one file per tool, each implementing its generated trait.

        #(mod #modules;)*

        /// State shared by every tool handler.
        #[derive(Default)]
        pub struct App {}
    }
}

/// `src/handlers/<tool>.rs`: a stub that compiles and answers with an error
/// until the user writes the body.
pub fn handler_stub(tool: &Tool) -> TokenStream {
    let doc = inner_doc_attrs(&format!("The `{}` tool.", tool.name));
    let module = &tool.module_ident;
    let trait_ident = &tool.trait_ident;
    let method = &tool.method_ident;
    let input = &tool.input_type;
    let output = match &tool.output_type {
        Some(output) => quote! { tool::#output },
        None => quote! { mcpgen_runtime::CallToolResult },
    };
    let message = format!("{} is not implemented yet", tool.name);
    quote! {
        #doc

        use super::App;
        use crate::generated::#module as tool;
        use mcpgen_runtime::{ToolContext, ToolError};

        impl tool::#trait_ident for App {
            async fn #method(&self, _context: ToolContext, _input: tool::#input) -> Result<#output, ToolError> {
                Err(ToolError::new(#message))
            }
        }
    }
}
