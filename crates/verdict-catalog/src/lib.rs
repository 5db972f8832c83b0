//! Embedded AWS service authorization reference (actions, resource types, condition keys).
