//! The simulator. It knows nothing of terminals.

/// `impl Clone` for a struct whose `clone_from` reuses each field's
/// buffers, field by field (a derived `clone_from` replaces the whole value
/// and frees them): the model checker copies runs into ones it has
/// finished with. `clone` builds the struct from the same list, so a field
/// left out of it does not compile.
macro_rules! clone_by_fields {
    ([$($generics:tt)*] $ty:ty { $($field:ident),+ $(,)? }) => {
        impl<$($generics)*> Clone for $ty {
            fn clone(&self) -> Self {
                Self { $($field: self.$field.clone()),+ }
            }
            fn clone_from(&mut self, src: &Self) {
                $(self.$field.clone_from(&src.$field);)+
            }
        }
    };
}

pub mod actor;
pub mod clocks;
pub mod export;
pub mod history;
pub mod input;
pub mod invariant;
pub mod network;
pub mod protocol;
pub mod queue;
pub mod record;
pub mod rng;
pub mod sim;
pub mod trace;
