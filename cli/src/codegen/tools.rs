//! Emits one tool's module: its types, the handler trait the user implements,
//! and the adapter that registers an implementation with the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc_attrs, inner_doc_attrs};
use super::types::type_defs;
use crate::ir::Tool;

/// The contents of `src/generated/<tool>.rs`.
pub fn tool_module(tool: &Tool) -> TokenStream {
    let newest = tool.newest();
    let module_doc = inner_doc_attrs(&format!(
        "The `{}` tool at version {}: argument and result types, and the handler trait.",
        tool.name, newest.version
    ));
    let types = type_defs(&tool.types);
    let handler_trait = handler_trait(tool);
    let adapter = adapter(tool);
    quote! {
        #module_doc
        #types
        #handler_trait
        #adapter
    }
}

fn result_type(tool: &Tool) -> TokenStream {
    match &tool.output_type {
        Some(output) => quote! { #output },
        None => quote! { ::mcpgen_runtime::CallToolResult },
    }
}

fn handler_trait(tool: &Tool) -> TokenStream {
    let newest = tool.newest();
    let trait_ident = &tool.trait_ident;
    let method = &tool.method_ident;
    let input = &tool.input_type;
    let output = result_type(tool);
    let trait_doc = doc_attrs(&format!(
        "Implement this for your server type to serve `{}`. Calls at older versions arrive already migrated to {}.",
        tool.name, newest.version
    ));
    let method_doc = doc_attrs(&tool.description);
    quote! {
        #trait_doc
        pub trait #trait_ident: ::std::marker::Send + ::std::marker::Sync + 'static {
            #method_doc
            fn #method(
                &self,
                context: ::mcpgen_runtime::ToolContext,
                input: #input,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<#output, ::mcpgen_runtime::ToolError>,
            > + ::std::marker::Send;
        }
    }
}

fn adapter(tool: &Tool) -> TokenStream {
    let trait_ident = &tool.trait_ident;
    let method = &tool.method_ident;
    let input = &tool.input_type;
    let wrap = if tool.output_type.is_some() {
        quote! { ::mcpgen_runtime::handler::structured }
    } else {
        quote! { ::mcpgen_runtime::handler::unstructured }
    };
    quote! {
        /// Registers an implementation of the trait with the runtime.
        pub(crate) fn handler<H: #trait_ident>(
            handlers: ::std::sync::Arc<H>,
        ) -> ::std::sync::Arc<dyn ::mcpgen_runtime::handler::ErasedHandler> {
            #wrap(move |context, input: #input| {
                let handlers = ::std::sync::Arc::clone(&handlers);
                async move { handlers.#method(context, input).await }
            })
        }
    }
}
