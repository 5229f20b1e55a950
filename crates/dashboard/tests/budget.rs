//! The history's disk and memory budget.
