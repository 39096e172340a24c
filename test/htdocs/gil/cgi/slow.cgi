#!/bin/sh
# test_130_gil.py: a CGI script whose output arrives slowly, through a
# pipe (mod_cgi) or socket (mod_cgid) bucket that a Python output filter
# reads.
echo "Content-Type: text/plain"
echo
echo "first part"
sleep 2
echo "second part"
