"""PythonHandler for test/htdocs/ssi/handler/: writes SSI markup itself and
adds the INCLUDES filter with req.add_output_filter(); the #python elements
then run (in this interpreter, on this request object) while req.write()
passes the data down the filter chain."""

from mod_python import apache


def handler(req):
    req.content_type = "text/html"
    req.ssi_globals = {"who": "handler"}
    req.add_output_filter("INCLUDES")
    req.write('<p id="who"><!--#python eval="who" --></p>\n')
    req.write('<p id="same"><!--#python eval="req is filter.req" --></p>\n')
    req.write('<p id="set"><!--#python exec="who = \'page\'" --></p>\n')
    req.write('<p id="after"><!--#python eval="who" --></p>\n')
    return apache.OK
