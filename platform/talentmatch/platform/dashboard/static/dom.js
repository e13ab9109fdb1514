// Small DOM helpers. Text always goes in as textContent, never as HTML: names come from users.

export function element(tag, text, attributes = {}) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  return el;
}

// Fill `table` with a header row and body rows. Each column is {label, key, numeric}; each row
// is {key, cells: {columnKey: text}}. Rows carry data-key and cells data-col, so that a reader
// (or a test) finds a figure by what it is rather than by its position.
export function fillTable(table, columns, rows) {
  const head = element("thead");
  const headRow = element("tr");
  for (const column of columns) {
    const th = element("th", column.label, { "data-col": column.key });
    if (column.numeric) th.className = "num";
    headRow.append(th);
  }
  head.append(headRow);
  const body = element("tbody");
  for (const row of rows) {
    const tr = element("tr", null, { "data-key": row.key });
    for (const column of columns) {
      const td = element("td", row.cells[column.key], { "data-col": column.key });
      if (column.numeric) td.className = "num";
      tr.append(td);
    }
    body.append(tr);
  }
  table.replaceChildren(head, body);
}

// Fill a <dl> with figures: [{key, label, value}], each <dd> with data-figure=key.
export function fillFigures(list, figures) {
  list.replaceChildren(
    ...figures.flatMap((figure) => {
      const wrapper = element("div", null, { class: "figure" });
      wrapper.append(element("dt", figure.label), element("dd", figure.value, { "data-figure": figure.key }));
      return [wrapper];
    }),
  );
}
