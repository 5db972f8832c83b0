//! Access Analyzer-class policy checks with stable codes.
