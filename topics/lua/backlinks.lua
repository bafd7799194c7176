-- Runs after --citeproc: give each reference links back to every place
-- citing it (labelled with the citing section) and a link to the work's page.
-- The places come from the renderer in the document's metadata, "sg-refs":
-- { key = { places = { {id, label}, ... }, work = url } }.

local stringify = pandoc.utils.stringify

function Pandoc(doc)
  local refs = doc.meta["sg-refs"]
  doc.meta["sg-refs"] = nil
  if not refs then
    return doc
  end
  doc.blocks = doc.blocks:walk({
    Div = function(div)
      local key = div.identifier:match("^ref%-(.+)$")
      local ref = key and refs[key]
      if not ref or #div.content == 0 then
        return nil
      end
      local last = div.content[#div.content]
      if last.t ~= "Para" and last.t ~= "Plain" then
        return nil
      end
      local inlines = pandoc.Inlines({ pandoc.Space() })
      for _, place in ipairs(ref.places or {}) do
        local id, label = stringify(place[1]), stringify(place[2])
        inlines:insert(pandoc.Link(
          { pandoc.Str("↩"), pandoc.Space(), pandoc.Str(label) },
          "#" .. id,
          "",
          pandoc.Attr("", { "cite-backlink" }, { { "aria-label", "Back to citation in " .. label } })
        ))
      end
      if ref.work then
        inlines:insert(pandoc.Link(
          { pandoc.Str("All citing topics") },
          stringify(ref.work),
          "",
          pandoc.Attr("", { "work-link" })
        ))
      end
      last.content:insert(pandoc.Span(inlines, pandoc.Attr("", { "cited-in" })))
      return div
    end,
  })
  return doc
end
