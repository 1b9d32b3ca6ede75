/** Histograms dashboard: one card per (run, tag) (card.js), or per tag with "Compare runs". */
import { startDashboard } from "../dashboard/page.js";
import { fillCard } from "./card.js";

startDashboard({ plugin: "histograms", tagsOf: (json) => json, fillCard,
  perTag: (settings) => Boolean(settings.get("compare")) });
