//! Emits the structs, enums and aliases of a tool's [`TypeSet`].

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use crate::ir::types::{EnumDef, FieldDef, RustType, StructDef, TypeDef, TypeSet};

/// Every type of the set, in order.
pub fn type_defs(types: &TypeSet) -> TokenStream {
    let items = types.defs.iter().map(type_def);
    quote! { #(#items)* }
}

fn type_def(def: &TypeDef) -> TokenStream {
    match def {
        TypeDef::Struct(def) => struct_def(def),
        TypeDef::Enum(def) => enum_def(def),
        TypeDef::Alias { name, target, doc } => {
            let doc = doc_attrs(doc);
            let target = rust_type(target);
            quote! { #doc pub type #name = #target; }
        }
    }
}

fn derives() -> TokenStream {
    quote! {
        #[derive(
            ::std::fmt::Debug,
            ::std::clone::Clone,
            ::std::cmp::PartialEq,
            ::mcpgen_runtime::serde::Serialize,
            ::mcpgen_runtime::serde::Deserialize
        )]
        #[serde(crate = "::mcpgen_runtime::serde")]
    }
}

fn struct_def(def: &StructDef) -> TokenStream {
    let doc = doc_attrs(&def.doc);
    let name = &def.name;
    let derives = derives();
    let fields = def.fields.iter().map(field);
    quote! {
        #doc
        #derives
        pub struct #name {
            #(#fields)*
        }
    }
}

fn field(field: &FieldDef) -> TokenStream {
    let doc = field.doc.as_deref().map(doc_attrs).unwrap_or_default();
    let ident = &field.ident;
    let rename = (field.ident.name() != field.json_name).then(|| {
        let json_name = &field.json_name;
        quote! { #[serde(rename = #json_name)] }
    });
    let inner = rust_type(&field.ty);
    let already_optional = matches!(field.ty, RustType::Nullable(_));
    let (ty, optional) = match (field.required, already_optional) {
        (true, _) => (inner, None),
        // Absent and null both read as `None`.
        (false, true) => (
            inner,
            Some(
                quote! { #[serde(default, skip_serializing_if = "::std::option::Option::is_none")] },
            ),
        ),
        (false, false) => (
            quote! { ::std::option::Option<#inner> },
            Some(
                quote! { #[serde(default, skip_serializing_if = "::std::option::Option::is_none")] },
            ),
        ),
    };
    quote! {
        #doc
        #rename
        #optional
        pub #ident: #ty,
    }
}

fn enum_def(def: &EnumDef) -> TokenStream {
    let doc = doc_attrs(&def.doc);
    let name = &def.name;
    let derives = derives();
    let variants = def.variants.iter().map(|(ident, value)| {
        quote! {
            #[serde(rename = #value)]
            #ident,
        }
    });
    quote! {
        #doc
        #derives
        pub enum #name {
            #(#variants)*
        }
    }
}

/// The Rust spelling of a field type.
pub fn rust_type(ty: &RustType) -> TokenStream {
    match ty {
        RustType::String => quote! { ::std::string::String },
        RustType::Integer => quote! { i64 },
        RustType::Number => quote! { f64 },
        RustType::Bool => quote! { bool },
        RustType::Vec(item) => {
            let item = rust_type(item);
            quote! { ::std::vec::Vec<#item> }
        }
        RustType::Map(value) => {
            let value = rust_type(value);
            quote! { ::std::collections::BTreeMap<::std::string::String, #value> }
        }
        RustType::Nullable(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::option::Option<#inner> }
        }
        RustType::Named(ident) => quote! { #ident },
        RustType::Value => quote! { ::mcpgen_runtime::serde_json::Value },
    }
}
