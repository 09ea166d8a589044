// The work list's bulk done/snooze: choose a whole group, count what is chosen, show the snooze fields only for a snooze.
(() => {
  const form = document.querySelector("[data-bulk-form]");
  if (!form) return;
  const rows = () => document.querySelectorAll("[data-row-select]");
  const counter = form.querySelector("[data-selected-count]");
  const action = form.querySelector("[data-bulk-action]");
  const snoozeFor = form.querySelector("[data-snooze-for]");
  const snoozeOnly = form.querySelectorAll("[data-snooze-only]");
  const snoozeAt = form.querySelector("[data-snooze-at]");

  const count = () => {
    counter.textContent = String([...rows()].filter((box) => box.checked).length);
  };
  const showSnoozeFields = () => {
    const snoozing = action.value === "snooze";
    snoozeOnly.forEach((element) => element.classList.toggle("d-none", !snoozing));
    snoozeAt.classList.toggle("d-none", !(snoozing && snoozeFor.value === "at"));
  };

  document.querySelectorAll("[data-group-select]").forEach((groupBox) => {
    const group = groupBox.closest("[data-task-group]");
    const inGroup = () => group.querySelectorAll("[data-row-select]");
    groupBox.addEventListener("change", () => {
      inGroup().forEach((box) => {
        box.checked = groupBox.checked;
      });
      count();
    });
    group.addEventListener("change", (event) => {
      if (!event.target.matches("[data-row-select]")) return;
      const boxes = [...inGroup()];
      groupBox.checked = boxes.length > 0 && boxes.every((box) => box.checked);
      groupBox.indeterminate = !groupBox.checked && boxes.some((box) => box.checked);
    });
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-row-select]")) count();
  });
  action.addEventListener("change", showSnoozeFields);
  snoozeFor.addEventListener("change", showSnoozeFields);
  showSnoozeFields();
  count();
})();
