/* Resource fork of a classic Mac OS file, exported as text */
resource 'STR#' (128) { };
