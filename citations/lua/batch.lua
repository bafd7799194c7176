-- Many documents in one Pandoc run (`pandoc lua batch.lua`), each rendered
-- exactly as `pandoc --from=json --citeproc --bibliography=B --csl=C
-- --lua-filter=F... --to=html5 --wrap=none [--mathml] [--section-divs]`
-- renders it alone: Pandoc starts once and reads the style once.
-- citations/formatting.py (citeproc_html_batch) writes the input:
--   line 1: settings as JSON {separator, csl, filters, mathml, section_divs}
--   then, per document, a line with its bibliography's path and a line
--   with its JSON AST.
-- Output: each document's HTML, then a line with the separator.

local input = io.read("a")
local lines = {}
for line in input:gmatch("[^\n]+") do
  lines[#lines + 1] = line
end
local settings = pandoc.json.decode(lines[1], false)
local options = { wrap_text = "none", section_divs = settings.section_divs }
if settings.mathml then
  options.html_math_method = "mathml"
end

for i = 2, #lines, 2 do
  local doc = pandoc.read(lines[i + 1], "json")
  doc.meta.bibliography = lines[i]
  doc.meta.csl = settings.csl
  doc = pandoc.utils.citeproc(doc)
  for _, filter in ipairs(settings.filters) do
    doc = pandoc.utils.run_lua_filter(doc, filter)
  end
  io.write(pandoc.write(doc, "html5", options), "\n", settings.separator, "\n")
end
