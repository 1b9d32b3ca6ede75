/** Images dashboard: one card per (run, tag) (card.js); brightness and contrast apply to all. */
import { startDashboard } from "../dashboard/page.js";
import { applyLook, fillCard } from "./card.js";

const { settings } = startDashboard({ plugin: "images", tagsOf: (json) => json, fillCard });
applyLook(settings);
settings.onChange(applyLook);
