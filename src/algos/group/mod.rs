//! Group communication: chat, chat rooms and causal broadcast.

pub mod bss;
pub mod causal_order;
pub mod chat;
pub mod chat_rooms;
