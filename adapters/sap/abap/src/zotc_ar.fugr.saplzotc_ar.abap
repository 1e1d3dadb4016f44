*******************************************************************
*   System-defined Include-files.                                 *
*******************************************************************
INCLUDE lzotc_artop.                       " Global Declarations
INCLUDE lzotc_aruxx.                       " Function Modules
INCLUDE lzotc_arc01.                       " lcl_clearing_lines
INCLUDE lzotc_arc02.                       " lcl_fb05
INCLUDE lzotc_arc03.                       " lcl_reversal_rules, lcl_refund_lines
INCLUDE lzotc_art99.                       " ABAP Unit tests
